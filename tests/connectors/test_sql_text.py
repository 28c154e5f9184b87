"""to_dialect, fingerprint and map_position."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.sql.fingerprint import fingerprint, normalized_sql
from connectors.sql.parse import parse_statement
from connectors.sql.positions import map_position
from connectors.sql.transpile import to_dialect


def test_postgres_as_bi_tools_speak_it_becomes_duckdb() -> None:
    sql = "SELECT x::text, now() - interval '1 day' FROM t WHERE name ILIKE 'a%'"

    assert to_dialect(parse_statement(sql, "postgres"), "duckdb") == (
        "SELECT CAST(x AS TEXT), CURRENT_TIMESTAMP - INTERVAL '1' DAY FROM t WHERE name ILIKE 'a%'"
    )


def test_to_dialect_writes_show_even_where_sqlglot_would_not() -> None:
    assert to_dialect(parse_statement("SHOW TABLES", "duckdb"), "duckdb") == "SHOW TABLES"


def _key(sql: str, dialect: str = "duckdb", **changes: Any) -> str:
    arguments: dict[str, Any] = {
        "datasource": "demo",
        "normalized": normalized_sql(parse_statement(sql, dialect), dialect),
        "parameters": {"p": 1},
        "table_versions": {"main.t": "7"},
    }
    arguments.update(changes)
    return fingerprint(**arguments)


@pytest.mark.parametrize(
    ("first", "second", "dialect"),
    [
        ("select  a from T", "SELECT a FROM t", "duckdb"),
        ("SELECT a FROM t -- why\n", "/* note */ SELECT a\n\n FROM t", "duckdb"),
        ("SELECT A FROM T", "select a from t", "postgres"),
        ("select a from t", "SELECT A FROM T", "snowflake"),
    ],
)
def test_fingerprints_ignore_layout_comments_and_case(
    first: str, second: str, dialect: str
) -> None:
    assert _key(first, dialect) == _key(second, dialect)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("SELECT a FROM t WHERE b = 1", "SELECT a FROM t WHERE b = 2"),
        ("SELECT a FROM t WHERE b = 'x'", "SELECT a FROM t WHERE b = 'X'"),
        ("SELECT a FROM t", "SELECT a FROM u"),
        ("SELECT a FROM t LIMIT 10", "SELECT a FROM t LIMIT 11"),
    ],
)
def test_fingerprints_differ_when_the_statement_does(first: str, second: str) -> None:
    assert _key(first) != _key(second)


def test_quoted_identifiers_keep_their_case_where_the_dialect_does() -> None:
    assert _key('SELECT "A" FROM t', "postgres") != _key('SELECT "a" FROM t', "postgres")
    # DuckDB resolves even quoted identifiers case-insensitively
    assert _key('SELECT "A" FROM t', "duckdb") == _key('SELECT "a" FROM t', "duckdb")


@pytest.mark.parametrize(
    "change",
    [
        {"datasource": "other"},
        {"parameters": {"p": 2}},
        {"table_versions": {"main.t": "8"}},
    ],
)
def test_fingerprints_differ_with_everything_else_the_result_depends_on(
    change: dict[str, Any],
) -> None:
    assert _key("SELECT a FROM t") != _key("SELECT a FROM t", **change)


def test_a_fingerprint_is_a_sha256_hex_digest() -> None:
    key = _key("SELECT 1")

    assert len(key) == 64 and int(key, 16) >= 0


@pytest.mark.parametrize(
    ("executed", "position", "user", "expected"),
    [
        ("SELECT zz FROM t LIMIT 100", 8, "select zz\n  from t", 8),
        ("SELECT a, zz FROM t", 11, "SELECT a, ZZ FROM t", 11),
        ("SELECT x FROM t WHERE x > 1", 23, "SELECT x FROM t WHERE x > 1", 23),
        ("SELECT t.x FROM t", 10, "select t.x from t", 10),
        ("SELECT nope FROM t", 8, "SELECT x FROM t", None),
        ("SELECT 1 LIMIT 5", 10, "SELECT 1", None),
        ("SELECT a FROM t", 99, "SELECT a FROM t", None),
    ],
)
def test_positions_map_back_to_the_users_text(
    executed: str, position: int, user: str, expected: int | None
) -> None:
    assert map_position(executed, position, user) == expected
