"""Result column names as PostgreSQL chooses them (FigureColname): unquoted aliases folded
to lower case, a column's own name, a function's name, a cast's type name when nothing
else names it, and `?column?` otherwise. Engines name expression columns differently
(`count_star()`, `CAST(1 AS INTEGER)`), so the wire endpoint renames them."""

from __future__ import annotations

from sqlglot import exp

_TYPE_NAMES = {
    "INT": "int4",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "TEXT": "text",
    "VARCHAR": "varchar",
    "BOOLEAN": "bool",
    "DOUBLE": "float8",
    "FLOAT": "float4",
    "DECIMAL": "numeric",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPTZ": "timestamptz",
    "TIME": "time",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "json",
    "JSONB": "jsonb",
    "CHAR": "bpchar",
    "VARBINARY": "bytea",
    "REAL": "float4",
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


def _projections(expression: exp.Expression, count: int) -> list[exp.Expression | None] | None:
    """The select-list node behind each of `count` result columns (None where a star
    expands), or None when the statement is not a SELECT whose list can be aligned."""
    select = expression
    while isinstance(select, (exp.SetOperation, exp.Subquery)):
        select = select.this
    if not isinstance(select, exp.Select):
        return None
    projections = select.expressions
    stars = [index for index, node in enumerate(projections) if _is_star(node)]
    if len(stars) > 1 or (not stars and len(projections) != count):
        return None
    star_width = count - (len(projections) - 1) if stars else 0
    aligned: list[exp.Expression | None] = []
    for node in projections:
        aligned.extend([None] * star_width if _is_star(node) else [node])
    return aligned if len(aligned) == count else None


def output_names(expression: exp.Expression, engine_names: list[str]) -> list[str]:
    """PostgreSQL's names for the result of `expression` (falling back to `engine_names`
    where a star expands or the statement is not a plain SELECT)."""
    aligned = _projections(expression, len(engine_names))
    if aligned is None:
        return engine_names
    return [
        engine_name if node is None else (_expression_name(node) or "?column?")
        for node, engine_name in zip(aligned, engine_names, strict=True)
    ]


def declared_types(expression: exp.Expression, count: int) -> list[str | None]:
    """Per result column, the PostgreSQL type a top-level cast names (`x::uuid`), else
    None. Engines without such types return them as strings; the cast tells the client
    what PostgreSQL would have said."""
    aligned = _projections(expression, count) or [None] * count
    types: list[str | None] = []
    for node in aligned:
        inner = node.this if isinstance(node, exp.Alias) else node
        if isinstance(inner, exp.Cast):
            types.append(inner.to.sql(dialect="postgres").lower())
        else:
            types.append(None)
    return types


def _is_star(node: exp.Expression) -> bool:
    return isinstance(node, exp.Star) or (isinstance(node, exp.Column) and node.is_star)
