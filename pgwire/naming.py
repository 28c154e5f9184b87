"""Result column names as PostgreSQL chooses them (FigureColname): unquoted aliases folded
to lower case, a column's own name, a function's name, a cast's type name when nothing
else names it, and `?column?` otherwise. Engines name expression columns differently
(`count_star()`, `CAST(1 AS INTEGER)`), so the wire endpoint renames them."""

from __future__ import annotations

from sqlglot import exp

_TYPE_NAMES = {
    "INT": "int4", "INTEGER": "int4", "BIGINT": "int8", "SMALLINT": "int2", "TEXT": "text",
    "VARCHAR": "varchar", "BOOLEAN": "bool", "DOUBLE": "float8", "FLOAT": "float4",
    "DECIMAL": "numeric", "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMPTZ": "timestamptz",
    "TIME": "time", "INTERVAL": "interval", "UUID": "uuid", "JSON": "json", "JSONB": "jsonb",
    "CHAR": "bpchar", "VARBINARY": "bytea", "REAL": "float4",
}
_FUNCTION_NAMES = {
    exp.CurrentVersion: "version",
    exp.CurrentDate: "current_date",
    exp.CurrentTimestamp: "now",
    exp.CurrentUser: "current_user",
    exp.Case: "case",
    exp.Array: "array",
    exp.Exists: "exists",
}


def _identifier_name(identifier: exp.Identifier) -> str:
    return identifier.name if identifier.quoted else identifier.name.lower()


def _expression_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Alias):
        alias = node.args.get("alias")
        return _identifier_name(alias) if isinstance(alias, exp.Identifier) else node.alias
    if isinstance(node, exp.Column):
        identifier = node.this
        return _identifier_name(identifier) if isinstance(identifier, exp.Identifier) else None
    if isinstance(node, exp.Paren):
        return _expression_name(node.this)
    if isinstance(node, exp.Cast):
        inner = _expression_name(node.this)
        return inner or _TYPE_NAMES.get(node.to.this.name, node.to.this.name.lower())
    for kind, name in _FUNCTION_NAMES.items():
        if isinstance(node, kind):
            return name
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func) and not isinstance(node, exp.Binary):
        return node.sql_name().lower()
    return None


def output_names(expression: exp.Expression, engine_names: list[str]) -> list[str]:
    """PostgreSQL's names for the result of `expression` (falling back to `engine_names`
    where a star expands or the statement is not a plain SELECT)."""
    select = expression
    while isinstance(select, exp.SetOperation):
        select = select.this
    if isinstance(select, exp.Subquery):
        select = select.this
    if not isinstance(select, exp.Select):
        return engine_names
    projections = select.expressions
    stars = [index for index, node in enumerate(projections) if _is_star(node)]
    if len(stars) > 1 or (not stars and len(projections) != len(engine_names)):
        return engine_names
    star_width = len(engine_names) - (len(projections) - 1) if stars else 0
    names: list[str] = []
    for node in projections:
        if _is_star(node):
            names.extend(engine_names[len(names) : len(names) + star_width])
        else:
            names.append(_expression_name(node) or "?column?")
    return names if len(names) == len(engine_names) else engine_names


def _is_star(node: exp.Expression) -> bool:
    return isinstance(node, exp.Star) or (isinstance(node, exp.Column) and node.is_star)
