"""The PostgreSQL type of each result column of a catalog query.

DuckDB stores name, text and "char" alike as VARCHAR, and oid and regproc alike as UINTEGER,
so its result types cannot tell a client's driver what it expects. This follows each
select-list expression back through aliases, subqueries and CTEs to a catalog column, a
cast or a function of known type. `None` means "unknown": results.py then falls back on the
DuckDB type.
"""

from __future__ import annotations

from sqlglot import exp

from pgwire.catalog.relations import Relation, find_shadow_relation
from pgwire.sql.naming import function_name
from pgwire.types.engine import pg_type_name

FUNCTION_TYPES = {
    **dict.fromkeys(
        [
            "format_type",
            "version",
            "array_to_string",
            "pg_get_expr",
            "pg_get_indexdef",
            "pg_get_constraintdef",
            "pg_get_viewdef",
            "pg_get_ruledef",
            "obj_description",
            "col_description",
            "shobj_description",
            "quote_ident",
            "current_setting",
            "set_config",
            "pg_get_function_result",
            "pg_get_function_arguments",
            "pg_get_function_sqlbody",
            "pg_get_functiondef",
            "pg_describe_object",
            "pg_size_pretty",
            "format",
            "quote_literal",
            "replace",
            "concat",
            "btrim",
            "ltrim",
            "rtrim",
            "trim",
            "substring",
            "substr",
            "upper",
            "lower",
        ],
        "text",
    ),
    **dict.fromkeys(
        [
            "pg_get_userbyid",
            "current_schema",
            "current_database",
            "current_user",
            "session_user",
            "current_catalog",
            "pg_encoding_to_char",
            "getdatabaseencoding",
        ],
        "name",
    ),
    **dict.fromkeys(
        [
            "pg_table_is_visible",
            "pg_type_is_visible",
            "pg_function_is_visible",
            "has_table_privilege",
            "has_schema_privilege",
            "has_database_privilege",
            "has_column_privilege",
            "pg_is_in_recovery",
            "exists",
        ],
        "bool",
    ),
    **dict.fromkeys(
        [
            "pg_relation_size",
            "pg_table_size",
            "pg_indexes_size",
            "pg_total_relation_size",
            "pg_database_size",
            "pg_tablespace_size",
        ],
        "int8",
    ),
    "current_schemas": "_name",
    "to_regclass": "regclass",
    "to_regtype": "regtype",
    "pg_backend_pid": "int4",
    "pg_char_to_encoding": "int4",
    "txid_current": "int8",
    "count": "int8",
    "row_number": "int8",
}
BOOLEAN_NODES = (exp.Predicate, exp.Connector, exp.Not, exp.Is, exp.In, exp.Between)


def outer_select(node: exp.Expression) -> exp.Select | None:
    """The select whose projections name a query's result columns (left arm of a union)."""
    while isinstance(node, exp.SetOperation | exp.Subquery):
        node = node.this
    return node if isinstance(node, exp.Select) else None


def _relation(table: exp.Table) -> Relation | None:
    return find_shadow_relation(table.db, table.name)


def _sources(select: exp.Select) -> dict[str, exp.Expression]:
    sources: dict[str, exp.Expression] = {}
    from_ = select.args.get("from_") or select.args.get("from")
    nodes = ([from_.this] if from_ else []) + [join.this for join in select.args.get("joins") or []]
    for node in nodes:
        sources[node.alias_or_name] = node
    return sources


def _cte(tree: exp.Expression, name: str) -> exp.Expression | None:
    return next((cte.this for cte in tree.find_all(exp.CTE) if cte.alias_or_name == name), None)


def _column_of_source(
    source: exp.Expression, name: str, tree: exp.Expression, depth: int
) -> str | None:
    if isinstance(source, exp.Table):
        relation = _relation(source)
        if relation is not None:
            column = relation.column(name)
            return column.type_name if column else None
        cte = _cte(tree, source.name) if not source.db else None
        inner = outer_select(cte) if cte is not None else None
    elif isinstance(source, exp.Subquery):
        inner = outer_select(source.this)
    else:
        return None
    return _named_projection_type(inner, name, tree, depth) if inner is not None else None


def _named_projection_type(
    select: exp.Select, name: str, tree: exp.Expression, depth: int
) -> str | None:
    for projection in select.expressions:
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            # A bare `*` (exp.Star) has no table qualifier; `t.*` is a Column over a Star.
            table = projection.table if isinstance(projection, exp.Column) else ""
            found = _column_type(exp.column(name, table or None), select, tree, depth)
            if found:
                return found
        elif projection.alias_or_name == name:
            return expression_type(projection, select, tree, depth + 1)
    return None


def _column_type(
    column: exp.Column, select: exp.Select, tree: exp.Expression, depth: int
) -> str | None:
    sources = _sources(select)
    candidates = [sources[column.table]] if column.table in sources else list(sources.values())
    for source in candidates:
        found = _column_of_source(source, column.name, tree, depth + 1)
        if found:
            return found
    return None


def expression_type(
    node: exp.Expression, select: exp.Select, tree: exp.Expression, depth: int = 0
) -> str | None:
    """The pg_type.typname of `node` as evaluated in `select`, or None if unknown."""
    if depth > 32:
        return None
    if isinstance(node, exp.Alias | exp.Paren):
        return expression_type(node.this, select, tree, depth + 1)
    if isinstance(node, exp.Cast):
        return pg_type_name(node.to)
    if isinstance(node, exp.Column):
        return _column_type(node, select, tree, depth)
    if isinstance(node, exp.Literal):
        return "text" if node.is_string else ("numeric" if "." in node.name else "int4")
    if isinstance(node, exp.Null):
        return "text"
    if isinstance(node, (exp.Boolean, *BOOLEAN_NODES)):
        return "bool"
    if isinstance(node, exp.DPipe):
        return "text"
    if isinstance(node, exp.Case):
        ifs = node.args.get("ifs")
        branch = ifs[0].args.get("true") if ifs else None
        return expression_type(branch, select, tree, depth + 1) if branch else None
    if isinstance(node, exp.Coalesce):
        return expression_type(node.this, select, tree, depth + 1)
    name = function_name(node)
    return FUNCTION_TYPES.get(name) if name is not None else None


def output_types(tree: exp.Expression) -> list[str | None] | None:
    """Per result column, its PostgreSQL type name; None when stars hide the column count."""
    select = outer_select(tree)
    if select is None:
        return None
    stars = [
        p
        for p in select.expressions
        if isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star))
    ]
    if stars:
        sources = list(_sources(select).values())
        is_plain_star = len(stars) == len(select.expressions) == 1 and len(sources) == 1
        if is_plain_star and isinstance(sources[0], exp.Subquery):
            return output_types(sources[0].this)
        if is_plain_star and isinstance(sources[0], exp.Table):
            relation = _relation(sources[0])
            if relation is not None:
                return [column.type_name for column in relation.columns]
        return None
    return [expression_type(projection, select, tree) for projection in select.expressions]
