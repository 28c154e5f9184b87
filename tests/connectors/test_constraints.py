"""Primary keys, unique and foreign key constraints in `list_tables`: DuckDB's named the way
PostgreSQL names them, PostgreSQL's as they are."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest

from connectors.base import ConstraintInfo, ConstraintKind, SourceSettings, TableInfo
from connectors.catalog_rows import object_name, tables_from_rows
from connectors.duck import DuckDBConnector
from connectors.postgres import PostgresConnector
from tests.connectors.conftest import PG_DSN

PRIMARY, UNIQUE, FOREIGN = (
    ConstraintKind.PRIMARY_KEY,
    ConstraintKind.UNIQUE,
    ConstraintKind.FOREIGN_KEY,
)

KEYED_DDL = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE, region VARCHAR,
                        code INTEGER, UNIQUE (region, code));
CREATE TABLE orders (
    order_id BIGINT, line INTEGER, customer_id INTEGER REFERENCES customers (id),
    region VARCHAR, code INTEGER,
    PRIMARY KEY (order_id, line), FOREIGN KEY (region, code) REFERENCES customers (region, code)
);
"""


def expected_constraints(schema: str) -> dict[str, set[ConstraintInfo]]:
    """What KEYED_DDL declares, in `schema`, named as PostgreSQL names it."""
    return {
        "customers": {
            ConstraintInfo("customers_pkey", PRIMARY, ("id",)),
            ConstraintInfo("customers_email_key", UNIQUE, ("email",)),
            ConstraintInfo("customers_region_code_key", UNIQUE, ("region", "code")),
        },
        "orders": {
            ConstraintInfo("orders_pkey", PRIMARY, ("order_id", "line")),
            ConstraintInfo(
                "orders_customer_id_fkey", FOREIGN, ("customer_id",), schema, "customers", ("id",)
            ),
            ConstraintInfo(
                "orders_region_code_fkey",
                FOREIGN,
                ("region", "code"),
                schema,
                "customers",
                ("region", "code"),
            ),
        },
    }


def _by_name(tables: list[TableInfo], schema: str) -> dict[str, TableInfo]:
    return {table.name: table for table in tables if table.schema == schema}


def test_duckdb_constraints_get_the_names_postgresql_would_choose(tmp_path: Path) -> None:
    path = tmp_path / "keys.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(KEYED_DDL)
        # DuckDB keeps names as the DDL spelled them and ignores their case
        connection.execute("CREATE TABLE notes (Customer INTEGER REFERENCES Customers (ID))")
    connector = DuckDBConnector(SourceSettings(engine="duckdb", path=str(path)))
    try:
        tables = _by_name(connector.list_tables(), "main")
    finally:
        connector.close()

    expected = expected_constraints("main")
    assert set(tables["customers"].constraints) == expected["customers"]
    assert tables["customers"].constraints[0].name == "customers_pkey"
    assert set(tables["orders"].constraints) == expected["orders"]
    assert tables["notes"].constraints == (
        ConstraintInfo("notes_Customer_fkey", FOREIGN, ("Customer",), "main", "customers", ("id",)),
    )


@pytest.fixture
def keyed_pg_schema() -> Iterator[str]:
    schema = f"dw_keys_test_{secrets.token_hex(4)}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}; SET search_path = {schema}".encode())
        admin.execute(KEYED_DDL.encode())
        admin.execute(
            f"CREATE SCHEMA {schema}_other; CREATE TABLE {schema}_other.refunds "
            f"(order_id bigint, line integer, CONSTRAINT refund_of "
            f"FOREIGN KEY (order_id, line) REFERENCES {schema}.orders)".encode()
        )
        try:
            yield schema
        finally:
            admin.execute(f"DROP SCHEMA {schema}, {schema}_other CASCADE".encode())


def test_postgres_constraints_keep_their_names(keyed_pg_schema: str) -> None:
    schema = keyed_pg_schema
    connector = PostgresConnector(SourceSettings(engine="postgres", dsn=PG_DSN))
    try:
        listed = connector.list_tables()
    finally:
        connector.close()
    tables = _by_name(listed, schema)

    expected = expected_constraints(schema)
    assert set(tables["customers"].constraints) == expected["customers"]
    assert set(tables["orders"].constraints) == expected["orders"]
    assert _by_name(listed, f"{schema}_other")["refunds"].constraints == (
        ConstraintInfo(
            "refund_of", FOREIGN, ("order_id", "line"), schema, "orders", ("order_id", "line")
        ),
    )


def test_long_names_are_cut_to_63_bytes_longer_part_first() -> None:
    table, columns = "t" * 40, "c" * 40
    name = object_name(table, columns, "key")

    assert name == "t" * 29 + "_" + "c" * 29 + "_key"
    assert len(name.encode()) == 63
    assert object_name("é" * 40, None, "pkey") == "é" * 29 + "_pkey"  # never half a character


def test_names_taken_in_the_schema_get_a_number() -> None:
    tables = tables_from_rows(
        [("main", "items", "table", None), ("main", "items_pkey", "table", None)],
        [("main", "items", "id", "INTEGER", False), ("main", "items_pkey", "x", "INTEGER", True)],
        [
            ("main", "items", None, "primary", ["id"], None, None, []),
            ("main", "items_pkey", None, "unique", ["x"], None, None, []),
            ("main", "items", None, "unique", ["id"], None, None, []),
            ("main", "items", None, "unique", ["id"], None, None, []),
        ],
    )

    assert [[c.name for c in t.constraints] for t in tables] == [
        ["items_pkey1", "items_id_key", "items_id_key1"],
        ["items_pkey_x_key"],
    ]
