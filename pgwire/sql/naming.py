"""Result column names as PostgreSQL chooses them (FigureColname): unquoted aliases folded
to lower case, a column's own name, a function's name, a cast's type name when nothing
else names it, and `?column?` otherwise. Engines name expression columns differently
(`count_star()`, `CAST(1 AS INTEGER)`), so the wire endpoint renames them; the emulated
catalog aliases its select lists with these names before DuckDB runs them."""

from __future__ import annotations

from sqlglot import exp

from pgwire.types.engine import pg_type_name

# sqlglot nodes for functions whose PostgreSQL name is not the node's SQL name
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
    exp.ArraySize: "array_length",
    exp.SessionUser: "session_user",
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


_STRONG, _WEAK, _NONE = 2, 1, 0


def _figure_name(node: exp.Expression) -> tuple[str | None, int]:
    """PostgreSQL's FigureColnameInternal: a name and its strength."""
    if isinstance(node, exp.Alias):
        alias = node.args.get("alias")
        name = _identifier_name(alias) if isinstance(alias, exp.Identifier) else node.alias
        return name, _STRONG
    if isinstance(node, exp.Column):
        identifier = node.this
        if isinstance(identifier, exp.Identifier):
            return _identifier_name(identifier), _STRONG
        return None, _NONE
    if isinstance(node, exp.Dot):
        return node.name, _STRONG
    if isinstance(node, (exp.Paren, exp.Bracket, *_WRAPPERS)):
        return _figure_name(node.this)
    if isinstance(node, exp.Subquery):
        select = node.this
        projections = select.expressions if isinstance(select, exp.Select) else []
        return _figure_name(projections[0]) if len(projections) == 1 else (None, _NONE)
    if isinstance(node, exp.Cast):
        inner = _figure_name(node.this)
        return inner if inner[1] == _STRONG else (pg_type_name(node.to), _WEAK)
    if isinstance(node, exp.Case):
        default = node.args.get("default")
        inner = _figure_name(default) if default is not None else (None, _NONE)
        return inner if inner[1] == _STRONG else ("case", _WEAK)
    called = function_name(node)
    return (called, _STRONG) if called is not None else (None, _NONE)


def function_name(node: exp.Expression) -> str | None:
    """The name PostgreSQL knows the function `node` calls by (as written where it has
    several spellings), None when `node` is no function call."""
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
    if isinstance(node, exp.Func) and not isinstance(node, (exp.Binary, exp.Predicate)):
        return node.sql_name().lower()
    return None


def column_name(node: exp.Expression) -> str:
    """The name PostgreSQL gives the select-list expression `node`."""
    return _figure_name(node)[0] or "?column?"


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
        engine_name if node is None else column_name(node)
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


def _outer_selects(tree: exp.Expression) -> list[exp.Select]:
    if isinstance(tree, exp.Select):
        return [tree]
    if isinstance(tree, (exp.SetOperation, exp.Subquery)):
        return _outer_selects(tree.this)
    return []


def name_projections(tree: exp.Expression) -> exp.Expression:
    """Alias every unnamed top-level select-list expression (not a column, not a star)
    with PostgreSQL's name for it; changes `tree` in place and returns it."""
    for select in _outer_selects(tree):
        for projection in select.expressions:
            if isinstance(projection, (exp.Alias, exp.Star, exp.Column)):
                continue
            alias = exp.alias_(
                projection.copy(), exp.to_identifier(column_name(projection), quoted=True)
            )
            projection.replace(alias)
    return tree
