"""Real engines for connector tests: a DuckDB file, a PostgreSQL schema, Delta tables.

No Django here. PostgreSQL is the local server (127.0.0.1:5432, database `test`); each
test session creates and drops its own schema `dw_conn_test_<random>` and nothing else.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import psycopg
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from connectors.base import SourceSettings
from connectors.delta import DeltaConnector
from connectors.duck import DuckDBConnector
from connectors.postgres import PostgresConnector

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
BATCH_ROWS = 1000


@pytest.fixture
def duckdb_path(tmp_path: Path) -> Path:
    path = tmp_path / "demo.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            """
            CREATE TABLE events (
                id BIGINT NOT NULL, name VARCHAR, amount DECIMAL(10, 2), ratio DOUBLE,
                happened TIMESTAMP, day DATE, tags VARCHAR[], is_open BOOLEAN
            );
            INSERT INTO events VALUES
                (1, 'alpha', 12.50, 0.5, TIMESTAMP '2024-01-01 10:00:00', DATE '2024-01-01',
                 ['a', 'b'], true),
                (2, 'beta', 3.25, NULL, TIMESTAMP '2024-01-02 11:30:00', DATE '2024-01-02',
                 [], false),
                (3, NULL, NULL, 1.5, NULL, NULL, NULL, NULL);
            CREATE TABLE numbers AS SELECT range AS n FROM range(25000);
            CREATE SCHEMA sales;
            CREATE TABLE sales.orders (order_id INTEGER, total DOUBLE);
            INSERT INTO sales.orders VALUES (1, 9.5), (2, 10.5);
            CREATE VIEW open_events AS SELECT * FROM events WHERE is_open;
            """
        )
    (tmp_path / "secret.csv").write_text("a,b\n1,2\n")
    return path


def _settings(engine: str, overrides: dict[str, object], **values: object) -> SourceSettings:
    fields: dict[str, object] = {"engine": engine, "batch_rows": BATCH_ROWS, **values, **overrides}
    return SourceSettings(**fields)  # type: ignore[arg-type]


@pytest.fixture
def make_duck(duckdb_path: Path) -> Iterator[Callable[..., DuckDBConnector]]:
    """Open DuckDB connectors on the demo file with settings overridden; all get closed."""
    opened: list[DuckDBConnector] = []

    def make(**overrides: object) -> DuckDBConnector:
        opened.append(DuckDBConnector(_settings("duckdb", overrides, path=str(duckdb_path))))
        return opened[-1]

    yield make
    for connector in opened:
        connector.close()


@pytest.fixture
def duck(make_duck: Callable[..., DuckDBConnector]) -> DuckDBConnector:
    return make_duck()


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    schema = f"dw_conn_test_{secrets.token_hex(4)}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}".encode())
        admin.execute(
            f"""
            CREATE TABLE {schema}.events (
                id bigint NOT NULL, name text, amount numeric(10, 2), ratio float8,
                happened timestamp, happened_tz timestamptz, day date, tags text[],
                is_open boolean, payload jsonb, span interval, raw bytea, uid uuid
            );
            INSERT INTO {schema}.events VALUES
                (1, 'alpha', 12.50, 0.5, '2024-01-01 10:00:00', '2024-01-01 10:00:00+02',
                 '2024-01-01', ARRAY['a', 'b'], true, '{{"k": 1}}', '1 mon 2 days 00:00:03',
                 '\\x0102', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
                (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            CREATE TABLE {schema}.numbers AS SELECT g AS n FROM generate_series(1, 2500) AS g;
            CREATE SEQUENCE {schema}.ids;
            CREATE VIEW {schema}.open_events AS SELECT * FROM {schema}.events WHERE is_open;
            ANALYZE {schema}.numbers;
            """.encode()
        )
        try:
            yield schema
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE".encode())


@pytest.fixture
def make_pg(pg_schema: str) -> Iterator[Callable[..., PostgresConnector]]:
    """Open PostgreSQL connectors with settings overridden; all get closed."""
    opened: list[PostgresConnector] = []

    def make(**overrides: object) -> PostgresConnector:
        opened.append(PostgresConnector(_settings("postgres", overrides, dsn=PG_DSN)))
        return opened[-1]

    yield make
    for connector in opened:
        connector.close()


@pytest.fixture
def pg(make_pg: Callable[..., PostgresConnector]) -> PostgresConnector:
    return make_pg()


def _events(ids: list[int], names: list[str]) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "name": pa.array(names, pa.string()),
            "day": pa.array([dt.date(2024, 1, i) for i in ids], pa.date32()),
        }
    )


@pytest.fixture
def delta_root(tmp_path: Path) -> Path:
    """`events` in three versions (append, append, overwrite), and `sales.orders`."""
    root = tmp_path / "lake"
    events = root / "events"
    write_deltalake(str(events), _events([1, 2], ["a", "b"]), mode="append")
    time.sleep(0.05)  # distinct commit timestamps, for TIMESTAMP AS OF
    write_deltalake(str(events), _events([3], ["c"]), mode="append")
    time.sleep(0.05)
    write_deltalake(str(events), _events([7, 8, 9], ["x", "y", "z"]), mode="overwrite")
    write_deltalake(
        str(root / "sales" / "orders"),
        pa.table({"order_id": pa.array(range(2500), pa.int32())}),
    )
    (root / "not_a_table").mkdir()
    (root / "secret.csv").write_text("a,b\n1,2\n")
    return root


@pytest.fixture
def make_delta(delta_root: Path) -> Iterator[Callable[..., DeltaConnector]]:
    """Open Delta connectors on the lake with settings overridden; all get closed."""
    opened: list[DeltaConnector] = []

    def make(**overrides: object) -> DeltaConnector:
        opened.append(DeltaConnector(_settings("delta", overrides, path=str(delta_root))))
        return opened[-1]

    yield make
    for connector in opened:
        connector.close()


@pytest.fixture
def delta(make_delta: Callable[..., DeltaConnector]) -> DeltaConnector:
    return make_delta()
