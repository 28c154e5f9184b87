"""Queries in PostgreSQL's dialect, as BI tools write them, answered through the wire endpoint
over a DuckDB data source and by PostgreSQL 15 holding the same rows: every answer's column
names, type OIDs and values (in PostgreSQL's text format), or error SQLSTATE, must match.

The queries are in fixtures/postgres_dialect.sql. Differences accepted, and so left out:
- DuckDB has one string type: columns PostgreSQL declares varchar arrive as text (25, not
  1043), and `char(n)` is cut to n characters but not blank-padded.
- Result types DuckDB chooses where the values agree or differ only in digits: avg, stddev
  and variance in double precision (PostgreSQL: numeric for integers and numerics); sum of
  integers as numeric (PostgreSQL: int8 for int4); EXTRACT/date_part as int8 or double
  (PostgreSQL 15: numeric, date_part double); ntile, grouping, generate_series and
  `date - date` as int8 (PostgreSQL: int4); `1e3` as double; sign(numeric) as int2;
  coalesce of numerics keeps the column's scale (10.00, PostgreSQL 10).
- A difference of two columns or aggregates divided by a number is divided exactly: it may
  be an interval (timestamp - timestamp), which DuckDB cannot truncate-divide; for
  integers PostgreSQL truncates (`(qty - 1) / 2`).
- Numbers divided in double precision where PostgreSQL divides numerics (`price / 3`,
  `sum(bigint) / n`): the last digits differ. The wire endpoint does not know column types,
  and DuckDB divides decimals as doubles.
- Floating-point digits of aggregates computed another way (stddev, regr_slope: the last
  digit), and a double cast to text (`2.0` where PostgreSQL writes `2`).
- round(double precision) rounds halves away from zero (PostgreSQL: to even).
- date_trunc of a date gives timestamp (PostgreSQL: timestamptz).
- to_char patterns other than numeric ones (Mon, Month, Day: sqlglot misreads them) and
  to_timestamp(text, format) giving timestamp, not timestamptz.
- sqrt(-1) and ln(0) give NaN and -Infinity instead of errors; width_bucket, justify_hours,
  every and octet_length(text) do not exist in DuckDB (an error, 42883 or 42P18).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User

from dashboards.audit.batches import wire_audit
from dashboards.models import DataSource
from pgwire.django_backend import DjangoBackend
from pgwire.server.listener import ServerOptions, WireServer
from tests.pgwire.reference import reference_dsn

QUERIES = Path(__file__).parent / "fixtures" / "postgres_dialect.sql"
DATABASE = "dw_dialect_probe"
PASSWORD = "dialect-wire-pw"
TABLES_DDL = """
CREATE TABLE orders (
    id integer, qty bigint, price numeric(12,2), ratio double precision, name text,
    code text, is_paid boolean, day date, stamp timestamp, stamp_tz timestamptz
);
CREATE TABLE regions (code text, region text);
INSERT INTO orders VALUES
    (1, 10, 12.50, 0.5, 'Alice', 'A1', true, '2024-01-15', '2024-01-15 08:30:00',
        '2024-01-15 08:30:00+00'),
    (2, -3, -4.25, -1.25, 'bob', 'b2', false, '2024-02-29', '2024-02-29 23:59:59.5',
        '2024-02-29 23:59:59.5+00'),
    (3, 5000000000, 0.00, 10000000000.0, 'Ærøskøbing', 'Æ', true, '2023-12-31',
        '2023-12-31 00:00:00', '2023-12-31 22:15:00-05'),
    (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (5, 0, 99.99, 3.14159, 'alice', 'A1', NULL, '2024-03-10', '2024-03-10 12:00:00',
        '2024-03-10 12:00:00+02'),
    (6, 7, 1234567.89, 2.0, 'Zoë', 'z', false, '2024-12-30', '2024-12-30 17:45:30.123456',
        '2024-12-30 17:45:30.123456+00'),
    (7, 7, 0.01, 0.1, '  padded  ', '', true, '2021-01-03', '2021-01-03 01:02:03',
        '2021-01-03 01:02:03+00'),
    (8, 100, 10.00, NULL, 'BOB', NULL, true, '2024-07-04', '2024-07-04 00:00:00',
        '2024-07-04 00:00:00+00');
INSERT INTO regions VALUES ('A1', 'North'), ('b2', 'South'), ('z', 'East'), ('X9', 'West');
"""


@dataclass(frozen=True)
class Answer:
    """What a client sees of one query: column names and type OIDs and rows of text
    values, or the SQLSTATE of the error."""

    columns: tuple[tuple[str, int], ...] = ()
    rows: tuple[tuple[str | None, ...], ...] = ()
    sqlstate: str | None = None


def read_queries() -> list[str]:
    lines = [line for line in QUERIES.read_text().splitlines() if not line.startswith("--")]
    return [query.strip() for query in "\n".join(lines).split(";\n") if query.strip()]


def answer(connection: psycopg.Connection, sql: str) -> Answer:
    try:
        cursor = connection.execute(sql.rstrip(";"))
    except psycopg.Error as error:
        return Answer(sqlstate=error.sqlstate)
    result = cursor.pgresult
    assert result is not None
    columns = tuple(
        ((result.fname(index) or b"").decode(), result.ftype(index))
        for index in range(result.nfields)
    )
    rows = tuple(
        tuple(_text(result.get_value(row, column)) for column in range(result.nfields))
        for row in range(result.ntuples)
    )
    return Answer(columns, rows)


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode()


@pytest.fixture(scope="module")
def reference() -> Iterator[psycopg.Connection]:
    with psycopg.connect(reference_dsn(), autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone():
            connection.execute(f"CREATE DATABASE {DATABASE}")
    dsn = reference_dsn().replace("dbname=postgres", f"dbname={DATABASE}")
    with psycopg.connect(dsn, autocommit=True) as connection:
        with connection.transaction():
            connection.execute("DROP TABLE IF EXISTS orders, regions")
            connection.execute(TABLES_DDL)
        yield connection


@pytest.fixture
def wire(transactional_db: None, tmp_path: Path) -> Iterator[psycopg.Connection]:
    path = tmp_path / "dialect.duckdb"
    with duckdb.connect(str(path)) as database:
        database.execute(TABLES_DDL)
    DataSource.objects.create(name=DATABASE, engine="duckdb", path=str(path))
    password = PBKDF2PasswordHasher().encode(PASSWORD, "dialectsalt1", iterations=4096)
    User.objects.create(username="dialect_analyst", password=password)
    server = WireServer(DjangoBackend(), ServerOptions(port=0, write_timeout_s=20))
    server.start()
    dsn = (
        f"host=127.0.0.1 port={server.port} dbname={DATABASE} user=dialect_analyst "
        f"password={PASSWORD} sslmode=disable"
    )
    try:
        with psycopg.connect(dsn, autocommit=True) as connection:
            yield connection
    finally:
        server.close()
        wire_audit.flush()


def test_queries_answer_as_on_postgres(
    reference: psycopg.Connection, wire: psycopg.Connection
) -> None:
    mismatches = []
    for sql in read_queries():
        theirs, ours = answer(reference, sql), answer(wire, sql)
        if ours != theirs:
            mismatches.append(f"{sql}\n{_difference(theirs, ours)}")
    assert not mismatches, "\n".join(mismatches)


def _difference(theirs: Answer, ours: Answer) -> str:
    if theirs.sqlstate or ours.sqlstate:
        return (
            f"  postgres: {theirs.sqlstate or 'a result'}, dashwire: {ours.sqlstate or 'a result'}"
        )
    if theirs.columns != ours.columns:
        return f"  postgres: {theirs.columns}\n  dashwire: {ours.columns}"
    for row, (their_row, our_row) in enumerate(zip(theirs.rows, ours.rows, strict=False)):
        if their_row != our_row:
            return f"  row {row}: postgres {their_row}\n         dashwire {our_row}"
    return f"  postgres: {len(theirs.rows)} rows, dashwire: {len(ours.rows)} rows"
