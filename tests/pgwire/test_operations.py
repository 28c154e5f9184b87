"""Operations: connection limit, login throttling, graceful shutdown, protocol version
negotiation, psql's catalog commands."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from pgwire.server.listener import ServerOptions
from tests.pgwire.conftest import PASSWORD, RunningServer, make_backend, running_server
from tests.pgwire.rawclient import RawClient, cstring


def test_connections_over_the_limit_are_refused_with_53300(database_file: Path) -> None:
    options = ServerOptions(port=0, max_connections=2)
    with running_server(make_backend(database_file), options) as server:
        kept = [psycopg.connect(server.dsn()) for _ in range(2)]
        with pytest.raises(psycopg.OperationalError, match="too many clients"):
            psycopg.connect(server.dsn())
        for connection in kept:
            connection.close()


def test_repeated_failed_logins_are_throttled(database_file: Path) -> None:
    options = ServerOptions(port=0, max_login_failures=3, login_failure_window_s=60)
    with running_server(make_backend(database_file), options) as server:
        for _ in range(3):
            with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
                psycopg.connect(server.dsn(password="wrong"))
        with pytest.raises(psycopg.OperationalError, match="too many failed login attempts"):
            psycopg.connect(server.dsn())


def test_shutdown_lets_a_running_statement_finish(database_file: Path) -> None:
    options = ServerOptions(port=0, shutdown_grace_s=20)
    with running_server(make_backend(database_file), options) as server:
        idle = psycopg.connect(server.dsn(), autocommit=True)
        busy = psycopg.connect(server.dsn(), autocommit=True)
        counted: list[object] = []
        worker = threading.Thread(
            target=lambda: counted.append(
                busy.execute("SELECT count(*) FROM big a, big b WHERE a.id < 400").fetchone()
            )
        )
        worker.start()
        time.sleep(0.3)
    worker.join(20)
    assert counted == [(120_000_000,)]
    with pytest.raises(psycopg.errors.AdminShutdown, match="terminating connection"):
        idle.execute("SELECT 1")


def test_a_newer_protocol_version_is_negotiated_down(wire: RunningServer) -> None:
    client = RawClient(wire.port)
    body = struct.pack("!i", (3 << 16) | 2) + cstring("user") + cstring("ann")
    body += cstring("database") + cstring("demo") + cstring("_pq_.future") + cstring("x") + b"\x00"
    client.send(struct.pack("!i", len(body) + 4) + body)
    reply = client.read()
    assert reply.type == b"v"
    minor, count = struct.unpack_from("!ii", reply.body)
    assert (minor, count) == (0, 1) and b"_pq_.future" in reply.body
    client.close()


def test_psql_catalog_commands(wire: RunningServer) -> None:
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    dsn = wire.dsn().replace(f" password={PASSWORD}", "")
    for command, expected in (
        ("\\l", "demo"),
        ("\\dn", "public"),
        ("\\dt", "items"),
        ("\\d items", "numeric(10,2)"),
    ):
        result = subprocess.run(
            ["psql", dsn, "-X", "-c", command], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout


SERVE_SCRIPT = """
import sys
from tests.pgwire.conftest import make_backend
from pgwire.server.listener import ServerOptions, run_server
from pathlib import Path
sys.exit(run_server(make_backend(Path(sys.argv[1])), ServerOptions(port=int(sys.argv[2]))))
"""


def test_run_server_stops_gracefully_on_sigterm(database_file: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_SCRIPT, str(database_file), str(port)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        dsn = f"host=127.0.0.1 port={port} user=ann password={PASSWORD} dbname=demo sslmode=disable"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(dsn, connect_timeout=2) as connection:
                    assert connection.execute("SELECT 1").fetchone() == (1,)
                break
            except psycopg.OperationalError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_idle_in_transaction_timeout_ends_only_sessions_left_in_a_transaction(
    wire: RunningServer,
) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as outside:
        outside.execute("SET idle_in_transaction_session_timeout = '200ms'")
        time.sleep(0.5)  # idle, but not in a transaction
        assert outside.execute("SELECT 1").fetchone() == (1,)
    inside = psycopg.connect(wire.dsn())
    inside.execute("SET idle_in_transaction_session_timeout = 200")
    inside.commit()
    assert inside.execute("SELECT 2").fetchone() == (2,)  # opens a transaction block
    time.sleep(0.6)
    with pytest.raises(psycopg.errors.IdleInTransactionSessionTimeout):
        inside.execute("SELECT 3")
    inside.close()
