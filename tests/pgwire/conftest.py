"""A wire server on a free port, in a background thread, over a small DuckDB database."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pgwire.server import ServerOptions, WireServer
from tests.pgwire.duck_backend import DuckBackend

PASSWORD = "s3cret-pw"


def make_database(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, price DECIMAL(10,2), "
        "created DATE, seen TIMESTAMP, ratio DOUBLE)"
    )
    con.execute(
        "INSERT INTO items SELECT i, 'item ' || i, i * 1.25, DATE '2024-01-01' + i::INTEGER, "
        "TIMESTAMP '2024-01-01 10:00:00' + i::INTEGER * INTERVAL 1 HOUR, i / 3.0 "
        "FROM range(1, 101) t(i)"
    )
    con.execute("CREATE TABLE kinds AS SELECT '\\x00\\xFF\\x10\\x5C'::BLOB AS blob")
    con.execute(
        "CREATE TABLE big AS SELECT i AS id, i * 2 AS twice, 'row ' || i AS label "
        "FROM range(300000) t(i)"
    )
    con.close()


@dataclass
class RunningServer:
    server: WireServer
    backend: DuckBackend
    loop: asyncio.AbstractEventLoop

    @property
    def port(self) -> int:
        return self.server.port

    def dsn(self, user: str = "ann", password: str = PASSWORD, **extra: str) -> str:
        parts = {
            "host": "127.0.0.1",
            "port": str(self.port),
            "dbname": "demo",
            "user": user,
            "password": password,
            "sslmode": "disable",
            **extra,
        }
        return " ".join(f"{key}={value}" for key, value in parts.items())


@pytest.fixture(scope="session")
def database_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pgwire") / "demo.duckdb"
    make_database(path)
    return path


@pytest.fixture(scope="session")
def wire(database_file: Path) -> Iterator[RunningServer]:
    backend = DuckBackend(
        databases={"demo": str(database_file)},
        passwords={"ann": PASSWORD, "bob": "bob-pw"},
        tokens={"dwt_secret_token": "ann"},
    )
    loop = asyncio.new_event_loop()
    server = WireServer(backend, ServerOptions(port=0, write_timeout_s=20))
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True, name="pgwire-test-server")
    thread.start()
    assert started.wait(10)
    yield RunningServer(server, backend, loop)
    asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
