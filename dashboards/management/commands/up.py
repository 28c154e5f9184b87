from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

STOP_GRACE_S = 10.0


def process_commands(port: int) -> dict[str, list[str]]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "config"]
    return {
        "web": [
            python,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"{os.environ.get('HOST', '127.0.0.1')}:{port}",
            "--worker-class",
            "config.gunicorn_worker.HeadFirstWorker",  # gthread with request deadlines
            "--workers",
            str(settings.WEB_WORKERS),
            "--threads",
            str(settings.WEB_THREADS),
            # within the launcher's own grace period, so no worker outlives Ctrl-C
            "--graceful-timeout",
            "5",
        ],
        "worker": [
            *celery,
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(settings.WORKER_CONCURRENCY),
        ],
        "beat": [
            *celery,
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            settings.CELERY_BEAT_SCHEDULE_FILE,
        ],
        "pgwire": [python, "-m", "pgwire"],
    }


class Command(BaseCommand):
    help = "Start web, worker, beat and the wire endpoint; Ctrl-C stops them all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--without", action="append", default=[], help="skip a process")

    def handle(self, *args: Any, **options: Any) -> None:
        commands = {
            name: command
            for name, command in process_commands(options["port"]).items()
            if name not in options["without"]
        }
        children = {name: subprocess.Popen(command) for name, command in commands.items()}
        self.stdout.write(
            f"dashwire is starting: http://127.0.0.1:{options['port']}/ "
            f"(wire endpoint 127.0.0.1:{settings.PGWIRE_PORT}); Ctrl-C stops it"
        )
        signal.signal(signal.SIGTERM, raise_interrupt)
        signal.signal(signal.SIGINT, raise_interrupt)
        try:
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with {child.returncode}; stopping")
                        raise SystemExit(1)
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("stopping")
        finally:
            stop_all(list(children.values()))


def raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_all(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
