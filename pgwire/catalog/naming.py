"""Result column names as PostgreSQL gives them (`?column?`, `count`, `format_type`, …)."""

from __future__ import annotations

from sqlglot import exp

# sqlglot nodes for functions whose PostgreSQL name is not the node's SQL name.
NODE_NAMES: dict[type[exp.Expression], str] = {
    exp.CurrentVersion: "version",
    exp.CurrentSchema: "current_schema",
    exp.CurrentSchemas: "current_schemas",
    exp.CurrentDatabase: "current_database",
    exp.CurrentCatalog: "current_catalog",
    exp.CurrentUser: "current_user",
    exp.SessionUser: "session_user",
    exp.Count: "count",
    exp.Coalesce: "coalesce",
    exp.Exists: "exists",
    exp.Array: "array",
    exp.ArrayAgg: "array_agg",
    exp.ArraySize: "array_length",
    exp.Max: "max",
    exp.Min: "min",
    exp.Sum: "sum",
    exp.Avg: "avg",
    exp.Substring: "substring",
    exp.Trim: "btrim",
    exp.Nullif: "nullif",
    exp.RowNumber: "row_number",
    exp.Upper: "upper",
    exp.Lower: "lower",
}


def _type_name(data_type: exp.DataType) -> str:
    from pgwire.catalog.rewrite import pg_type_name

    return pg_type_name(data_type)


def _figure_name(node: exp.Expression) -> tuple[str, int]:
    """PostgreSQL's FigureColname: a name and its strength (2 strong, 1 weak, 0 none)."""
    if isinstance(node, exp.Column):
        return node.name, 2
    if isinstance(node, exp.Paren | exp.Bracket | exp.Window):
        return _figure_name(node.this)
    if isinstance(node, exp.Dot):
        return node.name, 2
    if isinstance(node, exp.Subquery):
        select = node.this
        projections = select.expressions if isinstance(select, exp.Select) else []
        if len(projections) == 1:
            return (
                _figure_name(projections[0].unalias())
                if not isinstance(projections[0], exp.Alias)
                else (projections[0].alias, 2)
            )
        return "?column?", 0
    if isinstance(node, exp.Cast):
        name, strength = _figure_name(node.this)
        return (name, strength) if strength > 1 else (_type_name(node.to), 1)
    if isinstance(node, exp.Case):
        default = node.args.get("default")
        name, strength = _figure_name(default) if default is not None else ("?column?", 0)
        return (name, strength) if strength > 1 else ("case", 1)
    if type(node) in NODE_NAMES:
        return NODE_NAMES[type(node)], 2
    if isinstance(node, exp.Anonymous):
        return node.name.lower(), 2
    if isinstance(node, exp.Func) and not isinstance(node, exp.Binary | exp.Predicate):
        return node.sql_name().lower(), 2
    return "?column?", 0


def pg_column_name(node: exp.Expression) -> str:
    """The name PostgreSQL gives an unaliased select-list expression."""
    return _figure_name(node)[0]


def _outer_selects(tree: exp.Expression) -> list[exp.Select]:
    if isinstance(tree, exp.Select):
        return [tree]
    if isinstance(tree, exp.SetOperation):
        return _outer_selects(tree.this)
    if isinstance(tree, exp.Subquery):
        return _outer_selects(tree.this)
    return []


def name_projections(tree: exp.Expression) -> exp.Expression:
    """Alias every unnamed top-level select-list expression with PostgreSQL's name for it."""
    for select in _outer_selects(tree):
        for projection in select.expressions:
            if isinstance(projection, exp.Alias | exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            ):
                continue
            if isinstance(projection, exp.Column):
                continue
            alias = exp.alias_(
                projection.copy(), exp.to_identifier(pg_column_name(projection), quoted=True)
            )
            projection.replace(alias)
    return tree
