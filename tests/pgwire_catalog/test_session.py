"""The CatalogSession interface: classification, errors, schema naming, refresh, metadata."""

from __future__ import annotations

import pytest
import sqlglot

from connectors.base import ColumnInfo, TableInfo
from connectors.errors import EngineError, SqlSyntaxError, UndefinedObject
from pgwire.catalog import CatalogSession, is_catalog_statement
from pgwire.sql.dialect import DIALECT
from tests.pgwire_catalog.conftest import ANALYST_TABLES

CATALOG_STATEMENTS = [
    ("SELECT version()", True),
    ("SELECT current_schema()", True),
    ("SELECT pg_catalog.current_schemas(true)", True),
    ("SELECT oid FROM pg_type WHERE typname = 'lo'", True),
    ("SELECT * FROM information_schema.tables", True),
    ("WITH t AS (SELECT oid FROM pg_class) SELECT * FROM t", True),
    ("SELECT 'pg_class'::regclass", True),
    ("SELECT 1", False),
    ("SELECT * FROM orders", False),
    ("SELECT * FROM pg_class JOIN orders ON true", False),
    ("SET search_path = public", False),
]


@pytest.mark.parametrize(("sql", "expected"), CATALOG_STATEMENTS)
def test_is_catalog_statement(sql: str, expected: bool) -> None:
    assert is_catalog_statement(sqlglot.parse_one(sql, read=DIALECT)) is expected


def test_main_schema_is_shown_as_public(analyst_session: CatalogSession) -> None:
    rows = analyst_session.execute(
        "SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2"
    ).to_pylist()
    assert {"table_schema": "public", "table_name": "events"} in rows
    assert all(row["table_schema"] != "main" for row in rows)
    path = analyst_session.execute("SELECT current_schemas(true), current_setting('search_path')")
    assert path.to_pylist() == [
        {"current_schemas": ["pg_catalog", "public"], "current_setting": '"$user", public'}
    ]


def test_oids_are_stable_and_outside_the_system_range(analyst_session: CatalogSession) -> None:
    sql = "SELECT 'dw_cap.orders'::regclass::oid AS oid"
    first = analyst_session.execute(sql).column(0)[0].as_py()
    again = CatalogSession("demo", "other", ["demo"], ANALYST_TABLES, {}).execute(sql)
    assert 16384 <= first < 2**31
    assert again.column(0)[0].as_py() == first


def test_fields_carry_postgres_types(analyst_session: CatalogSession) -> None:
    table = analyst_session.execute(
        "SELECT c.oid, c.relname, c.relkind, i.indkey, c.oid::regclass AS r, 1 AS n "
        "FROM pg_class c LEFT JOIN pg_index i ON i.indrelid = c.oid LIMIT 1"
    )
    types = {f.name: f.metadata[b"pg_type"].decode() for f in table.schema}
    assert types == {
        "oid": "oid",
        "relname": "name",
        "relkind": "char",
        "indkey": "int2vector",
        "r": "regclass",
        "n": "int4",
    }


def test_unknown_catalog_relation_is_undefined(analyst_session: CatalogSession) -> None:
    with pytest.raises(UndefinedObject) as error:
        analyst_session.execute("SELECT * FROM pg_catalog.pg_nonexistent")
    assert error.value.sqlstate == "42P01"


def test_syntax_and_engine_errors_carry_sqlstates(analyst_session: CatalogSession) -> None:
    with pytest.raises(SqlSyntaxError) as syntax_error:
        analyst_session.execute("SELECT FROM WHERE (")
    assert syntax_error.value.sqlstate == "42601"
    with pytest.raises(EngineError) as error:
        analyst_session.execute("SELECT nosuchcolumn FROM pg_class")
    assert error.value.sqlstate == "42703"


def test_refresh_shows_new_tables_and_keeps_settings() -> None:
    session = CatalogSession("demo", "analyst", ["demo"], [], {})
    session.execute("SELECT set_config('application_name', 'bi', false)")
    session.refresh([TableInfo("main", "late", (ColumnInfo("x", "INTEGER"),))])
    rows = session.execute("SELECT relname FROM pg_class WHERE relname = 'late'").to_pylist()
    assert rows == [{"relname": "late"}]
    assert session.execute("SELECT current_setting('application_name')").to_pylist() == [
        {"current_setting": "bi"}
    ]


def test_databases_are_the_data_sources_the_user_may_use(
    analyst_session: CatalogSession,
) -> None:
    rows = analyst_session.execute("SELECT datname FROM pg_database ORDER BY 1").to_pylist()
    assert rows == [{"datname": "demo"}, {"datname": "sales"}]


def test_star_inside_a_subquery_keeps_catalog_types(analyst_session: CatalogSession) -> None:
    result = analyst_session.execute(
        "SELECT relname FROM (SELECT * FROM pg_catalog.pg_class) s WHERE relname = 'events'"
    )
    assert result.column("relname").to_pylist() == ["events"]
    assert result.schema.field("relname").metadata == {b"pg_type": b"name"}
