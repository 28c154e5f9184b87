"""referenced_tables: real tables only, deduplicated, in order of appearance."""

from __future__ import annotations

import pytest

from connectors.base import TableRef
from connectors.sql.parse import parse_statement
from connectors.sql.tables import referenced_tables


@pytest.mark.parametrize(
    ("sql", "dialect", "expected"),
    [
        ("SELECT * FROM t", "duckdb", [TableRef("t")]),
        (
            "SELECT * FROM s.a JOIN b ON a.id = b.id JOIN s.a AS again ON true",
            "duckdb",
            [TableRef("a", "s"), TableRef("b")],
        ),
        (
            "WITH recent AS (SELECT * FROM events WHERE d > 1) "
            "SELECT * FROM recent JOIN users USING (id)",
            "duckdb",
            [TableRef("events"), TableRef("users")],
        ),
        (
            "SELECT (SELECT max(x) FROM inner_t) FROM outer_t "
            "WHERE id IN (SELECT id FROM filter_t)",
            "duckdb",
            [TableRef("inner_t"), TableRef("outer_t"), TableRef("filter_t")],
        ),
        ("SELECT * FROM (SELECT * FROM nested) AS sub", "duckdb", [TableRef("nested")]),
        ("SELECT * FROM range(10) JOIN t ON true", "duckdb", [TableRef("t")]),
        ("SELECT * FROM cat.sch.tbl", "duckdb", [TableRef("tbl", "sch", "cat")]),
        ("SELECT 1 UNION SELECT a FROM u", "duckdb", [TableRef("u")]),
        ("EXPLAIN SELECT * FROM secret", "duckdb", [TableRef("secret")]),
        ("DESCRIBE HISTORY events", "databricks", [TableRef("events")]),
        (
            "SELECT * FROM events VERSION AS OF 2 JOIN events ON true",
            "databricks",
            [TableRef("events", as_of="version=2"), TableRef("events")],
        ),
        (
            "SELECT * FROM s.events TIMESTAMP AS OF '2024-01-01 10:00:00'",
            "databricks",
            [TableRef("events", "s", as_of="timestamp=2024-01-01 10:00:00")],
        ),
    ],
)
def test_referenced_tables(sql: str, dialect: str, expected: list[TableRef]) -> None:
    assert referenced_tables(parse_statement(sql, dialect)) == expected


def test_a_cte_shadows_only_unqualified_names() -> None:
    statement = parse_statement("WITH t AS (SELECT 1) SELECT * FROM t, s.t", "duckdb")

    assert referenced_tables(statement) == [TableRef("t", "s")]
