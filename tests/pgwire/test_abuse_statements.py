"""Abuse through statements (issue 12, items 3 and 4): statements on the session's own
DuckDB — the emulated catalog, temporary tables — with a table function that makes rows
without end stop on a CancelRequest, at the statement timeout, at the result limits and
when their client goes away, and are audited; huge and deeply nested statements get a
clear error and leave the session usable."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from pgwire.ports import LocalScope
from pgwire.server.listener import ServerOptions
from tests.pgwire.conftest import PASSWORD, RunningServer, make_backend, running_server
from tests.pgwire.duck_backend import DuckBackend
from tests.pgwire.rawclient import RawClient, query
from tests.pgwire.server_process import server_process

# the issue's `count(*) … range(n)` takes DuckDB 3 s on pg_class; hashing every row makes
# them minutes of CPU (at one thread)
ENDLESS_CATALOG = "SELECT max(hash(i + c.oid)) FROM pg_catalog.pg_class c, range(300000000) t(i)"
ENDLESS_TEMP = "SELECT max(hash(i + e.a)) FROM endless_t e, range(30000000000) t(i)"
WIDE_CATALOG = "SELECT repeat('x', 1000) FROM pg_catalog.pg_class, range(90000)"


@contextmanager
def _connected(wire: RunningServer) -> Iterator[psycopg.Connection]:
    with psycopg.connect(wire.dsn(), autocommit=True, connect_timeout=10) as connection:
        connection.execute("CREATE TEMP TABLE endless_t (a INTEGER)")
        connection.execute("INSERT INTO endless_t VALUES (1)")
        yield connection


@pytest.mark.parametrize("sql", [ENDLESS_CATALOG, ENDLESS_TEMP])
def test_a_cancel_request_stops_a_local_statement(wire: RunningServer, sql: str) -> None:
    with _connected(wire) as connection:
        timer = threading.Timer(0.5, connection.cancel_safe)
        timer.start()
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled, match="user request"):
            connection.execute(sql)
        timer.join()
        assert time.monotonic() - started < 30
        assert connection.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize("sql", [ENDLESS_CATALOG, ENDLESS_TEMP])
def test_statement_timeout_stops_a_local_statement(wire: RunningServer, sql: str) -> None:
    with _connected(wire) as connection:
        connection.execute("SET statement_timeout = 300")
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            connection.execute(sql)
        assert time.monotonic() - started < 30
        connection.execute("SET statement_timeout = 0")
        assert connection.execute("SELECT count(*) FROM endless_t").fetchone() == (1,)


@contextmanager
def _connected_with(backend: DuckBackend) -> Iterator[psycopg.Connection]:
    """A session on a server of its own over `backend`."""
    with (
        running_server(backend, ServerOptions(port=0)) as server,
        psycopg.connect(server.dsn(), autocommit=True, connect_timeout=10) as connection,
    ):
        yield connection


def test_the_data_source_timeout_bounds_a_local_statement(database_file: Path) -> None:
    backend = make_backend(database_file)
    backend.local_plan = replace(backend.local_plan, timeout_s=0.3)
    with (
        _connected_with(backend) as connection,
        pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"),
    ):
        connection.execute(ENDLESS_CATALOG)


def test_a_local_result_stops_at_the_byte_limit(wire: RunningServer) -> None:
    """90 MB of text: the catalog answers at most 64 MB, whatever the data source allows."""
    with _connected(wire) as connection:
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="larger than"):
            connection.execute(WIDE_CATALOG)
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_a_local_result_stops_at_the_data_sources_row_limit(database_file: Path) -> None:
    backend = make_backend(database_file)
    backend.local_plan = replace(backend.local_plan, max_rows=1000)
    with _connected_with(backend) as connection:
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="1,000 rows"):
            connection.execute("SELECT oid FROM pg_catalog.pg_class, range(100)")
        rows = connection.execute("SELECT oid FROM pg_catalog.pg_class LIMIT 5").fetchall()
        assert len(rows) == 5


def test_local_statements_go_through_the_backend(wire: RunningServer) -> None:
    """The backend allows (and audits) each of them; the Django backend's audit rows are
    checked in test_django_backend.py."""
    with _connected(wire) as connection:
        connection.execute("SELECT count(*) FROM pg_catalog.pg_namespace, range(3)")
    seen = {(scope, sql) for scope, user, sql in wire.backend.local_statements if user == "ann"}
    assert (LocalScope.CATALOG, "SELECT count(*) FROM pg_catalog.pg_namespace, range(3)") in seen
    assert (LocalScope.TEMP_TABLES, "CREATE TEMP TABLE endless_t (a INTEGER)") in seen


@pytest.mark.parametrize("sql", [ENDLESS_CATALOG, ENDLESS_TEMP])
def test_a_vanished_clients_statement_stops_burning_cpu(database_file: Path, sql: str) -> None:
    with server_process(database_file) as served:
        client = RawClient(served.port)
        client.login("ann", PASSWORD)
        client.send(query("CREATE TEMP TABLE endless_t (a INTEGER)"))
        client.read_until_ready()
        client.send(query("INSERT INTO endless_t VALUES (1)"))
        client.read_until_ready()
        client.send(query(sql))
        time.sleep(1)  # running now
        client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        # the statement would compute for minutes; a quiet second means it stopped
        deadline = time.monotonic() + 30
        while True:
            used_s = served.cpu_s()
            time.sleep(1)
            if served.cpu_s() - used_s < 0.3:
                break
            assert time.monotonic() < deadline, "the server kept computing for nobody"
        with psycopg.connect(served.dsn(), connect_timeout=10) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)


# -- huge and deeply nested statements ---------------------------------------------------


def test_a_statement_over_the_length_limit_is_refused_with_54000(wire: RunningServer) -> None:
    long_sql = "SELECT " + "1, " * 100_000 + "1"  # 300 KB
    client = RawClient(wire.port)
    client.login("ann", PASSWORD)
    client.send(query(long_sql))
    replies = client.read_until_ready()
    assert replies[0].type == b"E" and replies[0].fields["C"] == "54000"
    assert "262,144" in replies[0].fields["M"]
    client.send(query("SELECT 2"))
    assert [reply.type for reply in client.read_until_ready()] == [b"T", b"D", b"C", b"Z"]
    client.close()
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:  # extended protocol
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="characters long"):
            connection.execute(long_sql)
        assert connection.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT " + "(" * 900 + "1" + ")" * 900,
        "SELECT * FROM pg_catalog.pg_class WHERE oid = " + "(" * 5000 + "1" + ")" * 5000,
    ],
)
def test_a_statement_nested_too_deeply_answers_54001(wire: RunningServer, sql: str) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        for is_prepared in (False, True):
            with pytest.raises(psycopg.errors.StatementTooComplex):
                connection.execute(sql, prepare=is_prepared)
        assert connection.execute("SELECT 1").fetchone() == (1,)


# -- the accept loop ------------------------------------------------------------------------


def test_a_session_without_a_thread_is_refused_and_the_next_one_served(
    database_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double: `Thread.start` raises as CPython does when no thread can be made, once."""
    real_start = threading.Thread.start
    failures = [RuntimeError("can't start new thread")]

    def start(thread: threading.Thread) -> None:
        if thread.name == "pgwire-session" and failures:
            raise failures.pop()
        real_start(thread)

    with running_server(make_backend(database_file), ServerOptions(port=0)) as server:
        monkeypatch.setattr(threading.Thread, "start", start)
        with pytest.raises(psycopg.OperationalError, match="too many clients"):
            psycopg.connect(server.dsn(), connect_timeout=10)
        with psycopg.connect(server.dsn(), connect_timeout=10) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)


BROKEN_LISTENER_SCRIPT = """
import errno, json, socket, sys, threading
from pathlib import Path
from pgwire.server.listener import ServerOptions, run_server
from tests.pgwire.conftest import make_backend

real_accept = socket.socket.accept
served = []

def accept(listener):
    if served:  # the listening socket breaks after the first connection
        raise OSError(errno.EBADF, "Bad file descriptor")
    served.append(True)
    return real_accept(listener)

socket.socket.accept = accept
options = ServerOptions(**json.loads(sys.argv[2]))
sys.exit(run_server(make_backend(Path(sys.argv[1])), options))
"""


def test_a_server_whose_listener_broke_exits_with_a_failure(database_file: Path) -> None:
    """A double: `accept` fails as on a broken listening socket, after one connection."""
    with server_process(database_file, BROKEN_LISTENER_SCRIPT) as served:
        assert served.process.wait(60) == 1
