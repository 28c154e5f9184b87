"""Names as clients write them → names as the engine knows them.

The emulated catalog shows a DuckDB source's `main` schema as `public` (where every
PostgreSQL tool expects user tables) and the data source as the database. Queries come
back with those names (`"public"."items"`, `"demo"."public"."items"`), so before they run
the tree is rewritten: the database qualifier dropped, `public` turned back into `main`.
"""

from __future__ import annotations

from sqlglot import exp

ENGINE_SCHEMAS = {"duckdb": {"public": "main"}}


def needs_engine_names(expression: exp.Expression, database: str, dialect: str) -> bool:
    renames = ENGINE_SCHEMAS.get(dialect, {})
    return any(
        table.catalog == database or table.db in renames
        for table in expression.find_all(exp.Table)
    )


def to_engine_names(expression: exp.Expression, database: str, dialect: str) -> exp.Expression:
    """A copy of `expression` with table names as the engine `dialect` knows them."""
    renames = ENGINE_SCHEMAS.get(dialect, {})
    statement = expression.copy()
    for table in statement.find_all(exp.Table):
        if table.catalog == database:
            table.set("catalog", None)
        if table.db in renames:
            table.set("db", exp.to_identifier(renames[table.db]))
    return statement
