"""Which statements the emulated catalog answers."""

from __future__ import annotations

from sqlglot import exp

from pgwire.catalog.relations import find_relation
from pgwire.catalog.rewrite import CATALOG_SCHEMAS, FUNCTION_RENAMES, REG_TYPES, SPECIAL_FUNCTIONS
from pgwire.types.engine import pg_type_name

# sqlglot nodes of the session functions (version(), current_schema, …)
SESSION_FUNCTION_NODES = tuple(SPECIAL_FUNCTIONS)
CATALOG_FUNCTIONS = frozenset(
    {
        *FUNCTION_RENAMES,
        "version",
        "txid_current",
        "_pg_expandarray",
        "current_schema",
        "current_schemas",
        "current_database",
        "current_user",
        "session_user",
        "current_catalog",
    }
)
QUERY_NODES = (exp.Select, exp.SetOperation, exp.Subquery)


def _is_catalog_table(table: exp.Table, cte_names: set[str]) -> bool:
    if table.name in cte_names and not table.db:
        return True
    return find_relation(table.db or None, table.name) is not None or table.db in CATALOG_SCHEMAS


def _uses_catalog_function(tree: exp.Expression) -> bool:
    if any(True for _ in tree.find_all(*SESSION_FUNCTION_NODES)):
        return True
    if any(call.name.lower() in CATALOG_FUNCTIONS for call in tree.find_all(exp.Anonymous)):
        return True
    if any(
        isinstance(dot.expression, exp.Func) and dot.this.name.lower() in CATALOG_SCHEMAS
        for dot in tree.find_all(exp.Dot)
    ):
        return True
    return any(pg_type_name(cast.to) in REG_TYPES for cast in tree.find_all(exp.Cast))


def is_catalog_statement(expression: exp.Expression) -> bool:
    """True when `expression` reads only the catalog: a query whose every table is a
    pg_catalog or information_schema relation (and at least one), or a query without tables
    that calls a catalog or session function (`SELECT version()`, `SELECT current_schema()`).
    """
    if not isinstance(expression, QUERY_NODES):
        return False
    cte_names = {cte.alias_or_name for cte in expression.find_all(exp.CTE)}
    tables = [t for t in expression.find_all(exp.Table) if isinstance(t.this, exp.Identifier)]
    if tables:
        return all(_is_catalog_table(t, cte_names) for t in tables) and any(
            not (t.name in cte_names and not t.db) for t in tables
        )
    return _uses_catalog_function(expression)
