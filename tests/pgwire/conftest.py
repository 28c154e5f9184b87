"""A wire server on a free port, in a background thread, over a small DuckDB database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pgwire.server.listener import ServerOptions, WireServer
from tests.pgwire.duck_backend import DuckBackend

PASSWORD = "s3cret-pw"
#: tables with a composite primary key, a unique constraint and foreign keys (items has the
#: primary key id); the same DDL runs on DuckDB and on PostgreSQL
KEYED_TABLES_DDL = """
CREATE TABLE suppliers (id INTEGER PRIMARY KEY, code VARCHAR UNIQUE, name VARCHAR);
CREATE TABLE stock (
    item_id INTEGER REFERENCES items (id),
    supplier_code VARCHAR REFERENCES suppliers (code),
    quantity INTEGER,
    PRIMARY KEY (item_id, supplier_code)
);
"""


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
    con.execute(KEYED_TABLES_DDL)
    con.execute(
        "INSERT INTO suppliers VALUES (1, 'ACME', 'Acme Corp'), (2, 'INI', 'Initech');"
        "INSERT INTO stock VALUES (1, 'ACME', 10), (1, 'INI', 5), (2, 'ACME', 0)"
    )
    con.execute("CREATE TABLE kinds AS SELECT '\\x00\\xFF\\x10\\x5C'::BLOB AS blob")
    con.execute(
        """CREATE TABLE zoo AS SELECT
        -5::TINYINT AS tiny, 200::UTINYINT AS utiny, 60000::USMALLINT AS usmall,
        4000000000::UINTEGER AS uint, 18446744073709551615::UBIGINT AS ubig,
        170141183460469231731687303715884105727::HUGEINT AS huge,
        1.5::FLOAT AS f4, 2.25::DOUBLE AS f8, 123456789.123456789::DECIMAL(38,9) AS wide,
        'x'::VARCHAR AS v, '12:34:56.789'::TIME AS t, '2024-02-29'::DATE AS d,
        TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS tns,
        '2024-01-02 03:04:05'::TIMESTAMP_S AS ts,
        TIMESTAMPTZ '2024-01-02 03:04:05+01' AS tz, INTERVAL '1 year 2 days 3 seconds' AS iv,
        uuid '550e8400-e29b-41d4-a716-446655440000' AS u, [1, NULL, 3] AS ints,
        ['a', 'b c'] AS texts, {'k': 1, 's': 'v'} AS rec, MAP {'a': 1} AS m,
        'red'::ENUM('red', 'green') AS e, NULL AS nothing, true AS flag"""
    )
    con.execute(
        "CREATE TABLE big AS SELECT i AS id, i * 2 AS twice, 'row ' || i AS label "
        "FROM range(300000) t(i)"
    )
    con.close()


@dataclass
class RunningServer:
    server: WireServer
    backend: DuckBackend

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


@contextmanager
def running_server(backend: DuckBackend, options: ServerOptions) -> Iterator[RunningServer]:
    """A WireServer accepting in background threads, closed on exit."""
    server = WireServer(backend, options)
    server.start()
    try:
        yield RunningServer(server, backend)
    finally:
        server.close()


def make_backend(database_file: Path) -> DuckBackend:
    return DuckBackend(
        databases={"demo": str(database_file)},
        passwords={"ann": PASSWORD, "bob": "bob-pw"},
        tokens={"dwt_secret_token": "ann"},
    )


@pytest.fixture(scope="session")
def wire(database_file: Path) -> Iterator[RunningServer]:
    options = ServerOptions(port=0, write_timeout_s=20)
    with running_server(make_backend(database_file), options) as running:
        yield running
