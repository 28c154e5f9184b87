"""Keys over the wire, next to PostgreSQL holding the same tables: psql's `\\d`, the primary
key queries pgjdbc and psqlODBC send, and the catalog arrays they read (as text)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.pgwire.conftest import KEYED_TABLES_DDL, PASSWORD, RunningServer
from tests.pgwire.reference import reference_dsn

CLIENT_QUERIES = Path(__file__).parents[1] / "pgwire_catalog" / "fixtures"
ITEMS_DDL = (
    "CREATE TABLE items (id integer PRIMARY KEY, name varchar, price numeric(10,2), "
    "created date, seen timestamp, ratio double precision)"
)


@pytest.fixture(scope="module")
def reference_schema() -> Iterator[str]:
    """A schema on the reference PostgreSQL with the keyed tables of the test database."""
    schema = f"dw_keys_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(reference_dsn(), autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
        connection.execute(f"SET search_path = {schema}")
        connection.execute(ITEMS_DDL)
        connection.execute(KEYED_TABLES_DDL)
        try:
            yield schema
        finally:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def _psql_describe(dsn: str, table: str, env: dict[str, str]) -> list[str]:
    result = subprocess.run(
        ["psql", dsn, "-X", "-c", f"\\d {table}"],
        env={**os.environ, "PGCONNECT_TIMEOUT": "10", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # titles are centred over the table, so their indent depends on the schema's name
    return [line.strip() for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("table", "key_line"),
    [
        ("items", '"items_pkey" PRIMARY KEY, btree (id)'),
        ("suppliers", '"suppliers_code_key" UNIQUE CONSTRAINT, btree (code)'),
        ("stock", '"stock_item_id_fkey" FOREIGN KEY (item_id) REFERENCES items(id)'),
    ],
)
def test_psql_describes_keys_like_postgres(
    wire: RunningServer, reference_schema: str, table: str, key_line: str
) -> None:
    ours = _psql_describe(
        wire.dsn().replace(f" password={PASSWORD}", ""), table, {"PGPASSWORD": PASSWORD}
    )
    theirs = _psql_describe(
        reference_dsn(), table, {"PGOPTIONS": f"-c search_path={reference_schema}"}
    )

    assert ours == [line.replace(f'"{reference_schema}.', '"public.') for line in theirs]
    assert key_line in ours


def _client_query(name: str, schema: str, table: str) -> str:
    """A captured client query (tests/pgwire_catalog/fixtures) aimed at another table."""
    sql = (CLIENT_QUERIES / f"{name}.sql").read_text()
    return sql.replace("'dw_cap'", f"'{schema}'").replace("'orders'", f"'{table}'")


def _rows(dsn: str, sql: str, schema: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"SET search_path = {schema}")
        return [
            tuple("<schema>" if value == schema else value for value in row)
            for row in connection.execute(sql).fetchall()
        ]


@pytest.mark.parametrize(
    ("query", "first_row"),
    [
        ("pgjdbc/get_primary_keys", (None, "<schema>", "stock", "item_id", 1, "stock_pkey")),
        ("psqlodbc/sql_primary_keys", ("item_id", 1, "stock_pkey", "<schema>", "stock")),
        # the index's OID (8th column) left out
        (
            "psqlodbc/sql_statistics",
            ("stock_pkey", "1 2", True, False, "btree", False, "<schema>", 0, "0 0"),
        ),
    ],
)
def test_primary_key_queries_of_drivers_match_postgres(
    wire: RunningServer, reference_schema: str, query: str, first_row: tuple[object, ...]
) -> None:
    ours = _rows(wire.dsn(), _client_query(query, "public", "stock"), "public")
    theirs = _rows(
        reference_dsn(), _client_query(query, reference_schema, "stock"), reference_schema
    )

    if query == "psqlodbc/sql_statistics":
        ours, theirs = [row[:7] + row[8:] for row in ours], [row[:7] + row[8:] for row in theirs]
    assert ours == theirs
    assert ours[0] == first_row


def test_key_arrays_read_like_postgres(wire: RunningServer, reference_schema: str) -> None:
    """int2vector (indkey) and int2[] (conkey, confkey) in text, and `indkey[n]` 0-based."""
    sql = (
        "SELECT c.conname, c.contype, c.conkey, c.confkey, i.indkey, i.indkey[0] AS first, "
        "i.indkey[1] AS second, i.indisprimary, i.indisunique, i.indnatts, ci.relname, "
        "ci.relkind, ci.relam "
        "FROM pg_constraint c LEFT JOIN pg_index i ON i.indexrelid = c.conindid "
        "AND i.indrelid = c.conrelid LEFT JOIN pg_class ci ON ci.oid = i.indexrelid "
        "WHERE c.conrelid IN ('stock'::regclass, 'suppliers'::regclass) ORDER BY 1"
    )
    ours = _rows(wire.dsn(), sql, "public")

    assert ours == _rows(reference_dsn(), sql, reference_schema)
    by_name = {row[0]: row[1:7] for row in ours}
    assert by_name["stock_pkey"] == ("p", [1, 2], None, "1 2", 1, 2)
    assert by_name["stock_supplier_code_fkey"] == ("f", [2], [2], None, None, None)
