"""Start a throwaway dashwire stack (web + worker on embedded defaults) for benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Stack:
    url: str
    token: str
    data_dir: Path
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_stack(
    extra_env: dict[str, str] | None = None,
    *,
    without: tuple[str, ...] = ("beat", "pgwire"),
    setup: Callable[[Stack], None] | None = None,
) -> Iterator[Stack]:
    """Start web + worker (and whatever `without` leaves on) on a fresh data dir.

    `setup` runs after the demo is loaded and before the services start (e.g. to add a
    data source that the wire endpoint then serves)."""
    data_dir = Path(tempfile.mkdtemp(prefix="dashwire-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    stack = Stack(f"http://127.0.0.1:{port}", "", data_dir, env)
    stack.manage("migrate", "--noinput", "-v0")
    stack.manage("collectstatic", "--noinput", "-v0")  # as `make run` does; pages need it
    stack.manage("demo")
    stack.token = stack.manage("token", "create", "demo").strip()
    if setup is not None:
        setup(stack)
    # the same launcher as `make run`, by default without beat and the wire endpoint
    skipped = [arg for service in without for arg in ("--without", service)]
    launcher = subprocess.Popen(
        [sys.executable, "manage.py", "up", "--port", str(port), *skipped],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(stack.url + "/readyz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still starting
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError("the stack did not become ready")
        yield stack
    finally:
        launcher.terminate()
        launcher.wait(timeout=30)
