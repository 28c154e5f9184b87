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
    exp.AtTimeZone: "timezone",
    exp.Interval: "interval",
}
# PostgreSQL's spellings of the functions sqlglot parses into one of its own classes,
# the one PostgreSQL would name the column after first
_SPELLINGS: dict[type[exp.Expression], tuple[str, ...]] = {
    exp.StrPosition: ("position", "strpos"),
    exp.Substring: ("substring", "substr"),
    exp.Ceil: ("ceil", "ceiling"),
    exp.Log: ("log", "log10"),
    exp.Length: ("length", "char_length", "character_length"),
    exp.Variance: ("variance", "var_samp"),
    exp.VariancePop: ("var_pop",),
    exp.GroupConcat: ("string_agg",),
    exp.TimeToStr: ("to_char",),
    exp.StrToDate: ("to_date",),
    exp.StrToTime: ("to_timestamp",),
    exp.UnixToTime: ("to_timestamp",),
    exp.TimestampTrunc: ("date_trunc",),
    exp.DateTrunc: ("date_trunc",),
    exp.TimestampFromParts: ("make_timestamp",),
    exp.ExplodingGenerateSeries: ("generate_series",),
    exp.LogicalAnd: ("bool_and", "every"),
    exp.LogicalOr: ("bool_or",),
}
# sqlglot classes that are also operators (`%`, `^`) or binary by shape: named only when
# written as a function call
_CALL_SPELLINGS: dict[type[exp.Expression], tuple[str, ...]] = {
    exp.Mod: ("mod",),
    exp.Pow: ("power", "pow"),
    exp.Corr: ("corr",),
}
_TRIM_NAMES = {"LEADING": "ltrim", "TRAILING": "rtrim"}
# nodes named after the function they wrap
_WRAPPERS = (exp.Window, exp.Filter, exp.WithinGroup)


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
    if isinstance(node, _WRAPPERS):
        return _expression_name(node.this)
    for kind, name in _FUNCTION_NAMES.items():
        if isinstance(node, kind):
            return name
    if isinstance(node, exp.Trim):
        return _TRIM_NAMES.get(str(node.args.get("position") or "").upper(), "btrim")
    if isinstance(node, exp.Pad):
        return "lpad" if node.args.get("is_left") else "rpad"
    written = _SPELLINGS.get(type(node))
    if written:
        return _spelling(node, written) or written[0]
    written = _CALL_SPELLINGS.get(type(node))
    if written:
        return _spelling(node, written)
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func) and not isinstance(node, exp.Binary):
        return node.sql_name().lower()
    return None


def _spelling(node: exp.Expression, spellings: tuple[str, ...]) -> str | None:
    """The one of `spellings` the function was written with, told by its length: the
    parser records where a function's name was written (None for SQL-syntax forms such
    as `position(a IN b)`, which take the first spelling)."""
    start, end = node.meta.get("start"), node.meta.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    return next((name for name in spellings if len(name) == end - start + 1), None)


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
        if isinstance(inner, exp.Cast) and inner.to.is_type(exp.DType.CHAR):
            types.append("bpchar")  # `char(n)` is character; only `"char"` is the byte type
        elif isinstance(inner, exp.Cast):
            types.append(inner.to.sql(dialect="postgres").lower())
        else:
            types.append(None)
    return types


def _is_star(node: exp.Expression) -> bool:
    return isinstance(node, exp.Star) or (isinstance(node, exp.Column) and node.is_star)
