"""Names as clients write them → names as the engine knows them.

The emulated catalog shows a DuckDB source's `main` schema as `public` (where every
PostgreSQL tool expects user tables) and the data source as the database. Queries come
back with those names (`"public"."items"`, `"demo"."public"."items"`, and in column
references `"public"."items"."id"` as Metabase writes them), so before they run the tree is
rewritten: the database qualifier dropped, `public` turned back into `main`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

ENGINE_SCHEMAS = {"duckdb": {"public": "main"}}


def _qualified(expression: exp.Expression) -> Iterator[exp.Table | exp.Column]:
    """The table references and the columns qualified with a schema in `expression`."""
    for node in expression.find_all(exp.Table, exp.Column):
        if isinstance(node, exp.Table) or (isinstance(node, exp.Column) and node.db):
            yield node


def needs_engine_names(expression: exp.Expression, database: str, dialect: str) -> bool:
    renames = ENGINE_SCHEMAS.get(dialect, {})
    return any(node.catalog == database or node.db in renames for node in _qualified(expression))


def to_engine_names(expression: exp.Expression, database: str, dialect: str) -> exp.Expression:
    """A copy of `expression` with table names as the engine `dialect` knows them."""
    renames = ENGINE_SCHEMAS.get(dialect, {})
    statement = expression.copy()
    for node in list(_qualified(statement)):
        if node.catalog == database:
            node.set("catalog", None)
        if node.db in renames:
            node.set("db", exp.to_identifier(renames[node.db]))
    return statement
