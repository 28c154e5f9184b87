"""Result column names as PostgreSQL gives them (`?column?`, `count`, `format_type`, …)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

# sqlglot nodes for functions whose PostgreSQL name is not the node's SQL name.
NODE_NAMES: dict[type[exp.Expression], str] = {
    exp.CurrentVersion: "version", exp.CurrentSchema: "current_schema",
    exp.CurrentSchemas: "current_schemas", exp.CurrentDatabase: "current_database",
    exp.CurrentCatalog: "current_catalog", exp.CurrentUser: "current_user",
    exp.SessionUser: "session_user", exp.Count: "count", exp.Case: "case",
    exp.Coalesce: "coalesce", exp.Exists: "exists", exp.Array: "array",
    exp.ArrayAgg: "array_agg", exp.Max: "max", exp.Min: "min", exp.Sum: "sum",
    exp.Avg: "avg", exp.Substring: "substring", exp.Trim: "btrim", exp.Nullif: "nullif",
    exp.RowNumber: "row_number", exp.Upper: "upper", exp.Lower: "lower",
}


def _type_name(data_type: exp.DataType) -> str:
    from pgwire.catalog.rewrite import pg_type_name

    return pg_type_name(data_type)


def pg_column_name(node: exp.Expression) -> str:
    """The name PostgreSQL gives an unaliased select-list expression."""
    if isinstance(node, exp.Column):
        return node.name
    if isinstance(node, exp.Paren | exp.Bracket | exp.Window):
        return pg_column_name(node.this)
    if isinstance(node, exp.Dot):
        return node.name
    if isinstance(node, exp.Cast):
        inner = pg_column_name(node.this)
        return inner if inner != "?column?" else _type_name(node.to)
    if type(node) in NODE_NAMES:
        return NODE_NAMES[type(node)]
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Func) and not isinstance(node, exp.Binary | exp.Predicate):
        return node.sql_name().lower()
    return "?column?"


def _outer_selects(tree: exp.Expression) -> list[exp.Select]:
    if isinstance(tree, exp.Select):
        return [tree]
    if isinstance(tree, exp.SetOperation):
        return _outer_selects(tree.this)
    if isinstance(tree, exp.Subquery):
        return _outer_selects(tree.this)
    return []


def name_projections(tree: exp.Expression, params: Sequence[Any] = ()) -> exp.Expression:
    """Alias every unnamed top-level select-list expression with PostgreSQL's name for it."""
    for select in _outer_selects(tree):
        for projection in select.expressions:
            if isinstance(projection, exp.Alias | exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            ):
                continue
            if isinstance(projection, exp.Column):
                continue
            alias = exp.alias_(projection.copy(), exp.to_identifier(pg_column_name(projection),
                                                                     quoted=True))
            projection.replace(alias)
    return tree
