"""Shared tables for the catalog tests: what an analyst may see in the `demo` data source."""

from __future__ import annotations

import pytest

from connectors.base import ColumnInfo, ConstraintInfo, ConstraintKind, TableInfo
from pgwire.catalog import CatalogSession

# dw_cap mirrors tables a PostgreSQL engine reports (PostgreSQL type names); public (DuckDB's
# main) holds a DuckDB table and view.
ANALYST_TABLES = [
    TableInfo(
        "dw_cap",
        "customers",
        (
            ColumnInfo("id", "integer", nullable=False),
            ColumnInfo("name", "character varying(100)", nullable=False),
            ColumnInfo("email", "text"),
            ColumnInfo("created_at", "timestamp with time zone"),
        ),
        constraints=(
            ConstraintInfo("customers_pkey", ConstraintKind.PRIMARY_KEY, ("id",)),
            ConstraintInfo("customers_email_key", ConstraintKind.UNIQUE, ("email",)),
        ),
    ),
    TableInfo(
        "dw_cap",
        "orders",
        (
            ColumnInfo("order_id", "bigint", nullable=False),
            ColumnInfo("customer_id", "integer"),
            ColumnInfo("amount", "numeric(12,2)"),
            ColumnInfo("ordered_on", "date"),
            ColumnInfo("tags", "text[]"),
            ColumnInfo("note", "character varying(255)"),
        ),
        constraints=(
            ConstraintInfo("orders_pkey", ConstraintKind.PRIMARY_KEY, ("order_id",)),
            ConstraintInfo(
                "orders_customer_id_ordered_on_key",
                ConstraintKind.UNIQUE,
                ("customer_id", "ordered_on"),
            ),
            ConstraintInfo(
                "orders_customer_id_fkey",
                ConstraintKind.FOREIGN_KEY,
                ("customer_id",),
                referenced_schema="dw_cap",
                referenced_table="customers",
                referenced_columns=("id",),
            ),
        ),
    ),
    TableInfo(
        "main",
        "events",
        (
            ColumnInfo("id", "BIGINT", nullable=False),
            ColumnInfo("payload", "JSON"),
            ColumnInfo("at", "TIMESTAMP WITH TIME ZONE"),
        ),
        row_count=3,
    ),
    TableInfo("main", "daily", (ColumnInfo("day", "DATE"), ColumnInfo("n", "BIGINT")), kind="view"),
]

# The same dw_cap tables as PostgreSQL DDL, for comparing with a real server.
ORACLE_DDL = """
CREATE TABLE {schema}.customers (id integer NOT NULL PRIMARY KEY, name varchar(100) NOT NULL,
                                 email text UNIQUE, created_at timestamptz);
CREATE TABLE {schema}.orders (order_id bigint NOT NULL PRIMARY KEY,
                              customer_id integer REFERENCES {schema}.customers (id),
                              amount numeric(12,2), ordered_on date, tags text[],
                              note varchar(255), UNIQUE (customer_id, ordered_on));
"""


@pytest.fixture(scope="session")
def analyst_session() -> CatalogSession:
    return CatalogSession(
        database="demo",
        username="analyst",
        databases=["demo", "sales"],
        tables=ANALYST_TABLES,
        settings={"application_name": "tests"},
    )
