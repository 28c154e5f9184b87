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
RESTART_DELAYS_S = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
STABLE_AFTER_S = 60.0


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
    help = (
        "Start web, worker, beat and the wire endpoint; a process that exits is started "
        "again; Ctrl-C stops them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--without", action="append", default=[], help="skip a process")

    def handle(self, *args: Any, **options: Any) -> None:
        children = [
            Child(name, command)
            for name, command in process_commands(options["port"]).items()
            if name not in options["without"]
        ]
        for child in children:
            child.start()
        self.stdout.write(
            f"dashwire is starting: http://127.0.0.1:{options['port']}/ "
            f"(wire endpoint 127.0.0.1:{settings.PGWIRE_PORT}); Ctrl-C stops it"
        )
        signal.signal(signal.SIGTERM, raise_interrupt)
        signal.signal(signal.SIGINT, raise_interrupt)
        try:
            while True:
                for child in children:
                    message = child.supervise(time.monotonic())
                    if message:
                        self.stderr.write(message)
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("stopping")
        finally:
            stop_all([child.process for child in children if child.process is not None])


class Child:
    """One supervised process: started again when it exits, after a delay that doubles
    with each exit in quick succession (RESTART_DELAYS_S) and resets once it ran for
    STABLE_AFTER_S, so a crash loop neither spins nor takes the other processes down."""

    def __init__(self, name: str, command: list[str]) -> None:
        self.name = name
        self.command = command
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.quick_exits = 0
        self.restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started_at = time.monotonic()
        self.restart_at = None

    def supervise(self, now: float) -> str:
        """Start the process again when it is due; returns a line to log, or ""."""
        if self.restart_at is not None:
            if now < self.restart_at:
                return ""
            self.start()
            return f"{self.name} started again"
        if self.process is None or self.process.poll() is None:
            return ""
        self.quick_exits = 0 if now - self.started_at >= STABLE_AFTER_S else self.quick_exits + 1
        delay = RESTART_DELAYS_S[min(self.quick_exits, len(RESTART_DELAYS_S) - 1)]
        self.restart_at = now + delay
        code = self.process.returncode
        return f"{self.name} exited with {code}; starting it again in {delay:g} s"


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
