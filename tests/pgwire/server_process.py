"""The wire server as a process of its own (over the test DuckDB backend), for tests that
measure what an attack costs it: its memory (VmRSS) and CPU time from /proc."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.pgwire.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SERVE_SCRIPT = """
import json, sys
from pathlib import Path
from pgwire.server.listener import ServerOptions, run_server
from tests.pgwire.conftest import make_backend
options = ServerOptions(**json.loads(sys.argv[2]))
sys.exit(run_server(make_backend(Path(sys.argv[1])), options))
"""


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    port: int

    def dsn(self) -> str:
        return (
            f"host=127.0.0.1 port={self.port} user=ann password={PASSWORD} dbname=demo "
            "sslmode=disable"
        )

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kilobytes = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(kilobytes.split()[1]) / 1024

    def cpu_s(self) -> float:
        """User and system CPU time the server used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server_process(
    database_file: Path, script: str = SERVE_SCRIPT, **options: object
) -> Iterator[ServerProcess]:
    """`run_server` in a child process with these ServerOptions, serving once this yields;
    killed on exit if it still runs."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(database_file), json.dumps({"port": port, **options})],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    served = ServerProcess(process, port)
    try:
        _wait_until_serving(served)
        yield served
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def _wait_until_serving(served: ServerProcess, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with psycopg.connect(served.dsn(), connect_timeout=2) as connection:
                connection.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            assert served.process.poll() is None, "the server process ended"
            assert time.monotonic() < deadline, "the server did not start serving"
            time.sleep(0.2)
