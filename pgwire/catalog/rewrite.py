"""Rewrite a client's catalog query (PostgreSQL) into DuckDB SQL over the shadow catalog.

Two pipelines of small passes over the sqlglot tree: `PREPARE_PASSES` (PostgreSQL's meaning
kept, so result types can be read from the tree after them) and `TRANSLATE_PASSES` (into
DuckDB's syntax). Each pass takes the tree and returns it (possibly changed in place); none
of them looks at the SQL text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from connectors.errors import UndefinedObject
from pgwire.catalog.relations import ZERO_BASED_ARRAY_TYPES, find_relation
from pgwire.catalog.system_columns import resolve_tableoid
from pgwire.sql.dialect import DIALECT
from pgwire.sql.naming import name_projections
from pgwire.types.engine import pg_type_name

CATALOG_SCHEMAS = frozenset({"pg_catalog", "information_schema"})

REG_TYPES = frozenset(
    {
        "regclass",
        "regtype",
        "regproc",
        "regprocedure",
        "regnamespace",
        "regrole",
        "regoper",
        "regoperator",
        "regconfig",
        "regcollation",
    }
)

# How a PostgreSQL type is cast in DuckDB, where DuckDB has no type of that name.
DUCKDB_TYPES = {
    **dict.fromkeys(
        [
            "name",
            "text",
            "varchar",
            "char",
            "bpchar",
            "pg_node_tree",
            "unknown",
            "cstring",
            "aclitem",
        ],
        "VARCHAR",
    ),
    **dict.fromkeys(["oid", "xid", "cid", "tid", *REG_TYPES], "UINTEGER"),
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "bool": "BOOLEAN",
    "float4": "REAL",
    "float8": "DOUBLE",
    "jsonb": "JSON",
    "json": "JSON",
    "int2vector": "SMALLINT[]",
    "oidvector": "UINTEGER[]",
}


def duckdb_type(pg_name: str) -> exp.DataType:
    """The DuckDB type a value of PostgreSQL type `pg_name` is stored and cast as."""
    if pg_name.startswith("_"):
        return exp.DataType.build(f"{DUCKDB_TYPES.get(pg_name[1:], 'VARCHAR')}[]", "duckdb")
    return exp.DataType.build(DUCKDB_TYPES.get(pg_name, pg_name), dialect="duckdb")


# ---------------------------------------------------------------- passes


def normalize_names(tree: exp.Expression) -> exp.Expression:
    """Fold unquoted identifiers to lower case, as PostgreSQL does."""
    return normalize_identifiers(tree, dialect="postgres")


def strip_catalog_function_prefix(tree: exp.Expression) -> exp.Expression:
    """`pg_catalog.f(…)` and `information_schema.f(…)` → `f(…)`, nested calls included."""
    # Not tree.transform: it does not descend into the call that replaces a Dot, so the
    # inner prefix of `pg_catalog.f(pg_catalog.g(x))` would survive.
    for dot in list(tree.find_all(exp.Dot)):
        if (
            isinstance(dot.expression, exp.Func)
            and dot.this.name.lower() in CATALOG_SCHEMAS
            and not isinstance(dot.this, exp.Dot)
        ):
            # exp.Func is a trait, not an Expression subclass; every concrete function is one.
            dot.replace(_bare_call(cast(exp.Expression, dot.expression)))
    return tree


def _bare_call(call: exp.Expression) -> exp.Expression:
    """The node sqlglot parses the same call into when no schema prefixes it: after a
    schema, every name parses as Anonymous (`pg_catalog.array_remove` included)."""
    if not isinstance(call, exp.Anonymous):
        return call
    try:
        return cast(
            exp.Expression, exp.func(call.name, *call.expressions, copy=False, dialect=DIALECT)
        )
    except ValueError:
        # a wrong number of arguments: left for DuckDB to report
        return call


def _cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name for cte in tree.find_all(exp.CTE)}


def redirect_catalog_tables(tree: exp.Expression) -> exp.Expression:
    """Point `pg_catalog.x`, `information_schema.x` and bare catalog names at the shadow copies.

    Raises UndefinedObject (42P01) for a pg_catalog/information_schema relation that is not
    emulated, as PostgreSQL would for a relation that does not exist.
    """
    ctes = _cte_names(tree)
    for table in list(tree.find_all(exp.Table)):
        if not isinstance(table.this, exp.Identifier):
            table.set("db", None) if table.db in CATALOG_SCHEMAS else None
            continue
        schema = table.db or None
        if schema is None and table.name in ctes:
            continue
        relation = find_relation(schema, table.name)
        if relation is None and schema in CATALOG_SCHEMAS:
            raise UndefinedObject(f'relation "{schema}.{table.name}" does not exist')
        if relation is not None:
            table.set("db", exp.to_identifier(relation.shadow_schema))
            table.set("catalog", None)
            if not table.alias:
                table.set("alias", exp.TableAlias(this=exp.to_identifier(relation.name)))
    for column in tree.find_all(exp.Column):
        if column.args.get("db") and column.db in CATALOG_SCHEMAS:
            column.set("db", None)
            column.set("catalog", None)
    return tree


BINARY_OPERATORS: dict[str, Callable[[exp.Expression, exp.Expression], exp.Expression]] = {
    "=": lambda a, b: exp.EQ(this=a, expression=b),
    "<>": lambda a, b: exp.NEQ(this=a, expression=b),
    "!=": lambda a, b: exp.NEQ(this=a, expression=b),
    "<": lambda a, b: exp.LT(this=a, expression=b),
    "<=": lambda a, b: exp.LTE(this=a, expression=b),
    ">": lambda a, b: exp.GT(this=a, expression=b),
    ">=": lambda a, b: exp.GTE(this=a, expression=b),
    "~": lambda a, b: exp.RegexpLike(this=a, expression=b),
    "!~": lambda a, b: exp.Not(this=exp.RegexpLike(this=a, expression=b)),
    "~*": lambda a, b: exp.RegexpILike(this=a, expression=b),
    "!~*": lambda a, b: exp.Not(this=exp.RegexpILike(this=a, expression=b)),
    "~~": lambda a, b: exp.Like(this=a, expression=b),
    "!~~": lambda a, b: exp.Not(this=exp.Like(this=a, expression=b)),
    "+": lambda a, b: exp.Add(this=a, expression=b),
    "-": lambda a, b: exp.Sub(this=a, expression=b),
}


def rewrite_operator_syntax(tree: exp.Expression) -> exp.Expression:
    """`a OPERATOR(pg_catalog.=) b` → `a = b`, for every operator clients spell that way."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Operator):
            return node
        symbol = str(node.args["operator"]).rsplit(".", 1)[-1].strip()
        build = BINARY_OPERATORS.get(symbol)
        if build is None:
            raise UndefinedObject(f"operator does not exist: {symbol}")
        return build(node.this, node.expression)

    return tree.transform(rewrite)


def drop_default_collation(tree: exp.Expression) -> exp.Expression:
    """`x COLLATE pg_catalog.default` → `x`: the shadow catalog compares bytewise anyway."""

    def drop(node: exp.Expression) -> exp.Expression:
        return cast(exp.Expression, node.this) if isinstance(node, exp.Collate) else node

    return tree.transform(drop)


def _is_text_expression(node: exp.Expression) -> bool:
    return (isinstance(node, exp.Literal) and node.is_string) or (
        isinstance(node, exp.Cast) and pg_type_name(node.to) in ("text", "varchar", "name")
    )


def rewrite_reg_casts(tree: exp.Expression) -> exp.Expression:
    """Casts to regclass/regtype/regproc/… become lookups.

    1. text → reg*: `'pg_class'::regclass` → `dw_to_regclass('pg_class')` (the OID).
    2. reg* → text: `oid::regtype::text` → `dw_regtype_out(oid)` (the name).
    3. number → reg*: the OID itself, named on output (see results.py).
    4. reg* → oid: the OID itself.
    """

    def rewrite(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Cast):
            return node
        target = pg_type_name(node.to)
        inner = node.this
        if target in REG_TYPES:
            if _is_text_expression(inner):
                return exp.Anonymous(this=f"dw_to_{target}", expressions=[inner])
            return node
        if isinstance(inner, exp.Cast) and pg_type_name(inner.to) in REG_TYPES:
            kind = pg_type_name(inner.to)
            value = inner.this
            if _is_text_expression(value):
                value = exp.Anonymous(this=f"dw_to_{kind}", expressions=[value])
            if target in ("text", "varchar", "name"):
                return exp.Anonymous(this=f"dw_{kind}_out", expressions=[value])
            if target == "oid":
                return exp.cast(value, duckdb_type("oid"))
        return node

    return tree.transform(rewrite)


def rewrite_type_casts(tree: exp.Expression) -> exp.Expression:
    """Casts to PostgreSQL-only types (name, "char", oid, int2vector, domains…) → DuckDB's."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Cast):
            name = pg_type_name(node.to)
            if name in DUCKDB_TYPES or name.startswith("_"):
                node.set("to", duckdb_type(name))
        return node

    return tree.transform(rewrite)


def _zero_based_names(tree: exp.Expression) -> set[str]:
    """Column names and aliases that hold an int2vector or oidvector."""
    names = set()
    for column in tree.find_all(exp.Column):
        for schema in CATALOG_SCHEMAS:
            for relation_name in ("pg_index", "pg_proc", "pg_trigger", "pg_statistic_ext"):
                relation = find_relation(schema, relation_name)
                col = relation.column(column.name) if relation else None
                if col is not None and col.type_name in ZERO_BASED_ARRAY_TYPES:
                    names.add(column.name)
    for alias in tree.find_all(exp.Alias):
        if isinstance(alias.this, exp.Column) and alias.this.name in names:
            names.add(alias.alias)
    return names


def shift_vector_subscripts(tree: exp.Expression) -> exp.Expression:
    """`indkey[n]` is 0-based in PostgreSQL (int2vector); DuckDB lists are 1-based."""
    names = _zero_based_names(tree)
    for bracket in tree.find_all(exp.Bracket):
        if isinstance(bracket.this, exp.Column) and bracket.this.name in names:
            bracket.set(
                "expressions",
                [
                    exp.Add(this=exp.paren(index, copy=False), expression=exp.Literal.number(1))
                    for index in bracket.expressions
                ],
            )
    return tree


def _is_expandarray(node: exp.Expression) -> bool:
    return isinstance(node, exp.Anonymous) and node.name.lower() == "_pg_expandarray"


def rewrite_expandarray(tree: exp.Expression) -> exp.Expression:
    """`information_schema._pg_expandarray(arr)` (a set-returning function) → `unnest(…)`.

    `(_pg_expandarray(a)).n` becomes `unnest(dw_expandarray(a)).n`, keeping PostgreSQL's
    lock-step expansion of several set-returning calls in one select list.
    """

    def rewrite(node: exp.Expression) -> exp.Expression:
        if _is_expandarray(node):
            return exp.Unnest(
                expressions=[exp.Anonymous(this="dw_expandarray", expressions=node.expressions)]
            )
        return node

    tree = tree.transform(rewrite)
    for paren in list(tree.find_all(exp.Paren)):
        if isinstance(paren.this, exp.Unnest):
            paren.replace(paren.this)
    return tree


SET_RETURNING_FUNCTIONS = frozenset({"generate_series", "unnest", "generate_subscripts"})


def expand_select_list_series(tree: exp.Expression) -> exp.Expression:
    """`SELECT generate_series(a, b)` yields rows in PostgreSQL, a list in DuckDB: unnest it."""
    for select in tree.find_all(exp.Select):
        for projection in select.expressions:
            for call in projection.find_all(exp.Anonymous, exp.GenerateSeries):
                name = call.name.lower() if isinstance(call, exp.Anonymous) else "generate_series"
                if name == "generate_series" and not isinstance(call.parent, exp.Unnest):
                    call.replace(exp.Unnest(expressions=[call.copy()]))
    return tree


# PostgreSQL functions answered by the session's own functions (functions.py).
FUNCTION_RENAMES = {
    name: f"dw_{name}"
    for name in (
        "format_type",
        "pg_get_userbyid",
        "pg_table_is_visible",
        "pg_type_is_visible",
        "pg_function_is_visible",
        "pg_collation_is_visible",
        "pg_operator_is_visible",
        "pg_opclass_is_visible",
        "pg_opfamily_is_visible",
        "pg_conversion_is_visible",
        "pg_statistics_obj_is_visible",
        "pg_ts_config_is_visible",
        "pg_ts_dict_is_visible",
        "pg_ts_parser_is_visible",
        "pg_ts_template_is_visible",
        "obj_description",
        "col_description",
        "shobj_description",
        "pg_get_expr",
        "pg_get_indexdef",
        "pg_get_constraintdef",
        "pg_get_viewdef",
        "pg_get_ruledef",
        "pg_get_triggerdef",
        "pg_get_function_result",
        "pg_get_function_arguments",
        "pg_get_function_sqlbody",
        "pg_get_functiondef",
        "pg_describe_object",
        "pg_get_serial_sequence",
        "pg_get_statisticsobjdef_columns",
        "pg_relation_is_publishable",
        "pg_encoding_to_char",
        "pg_char_to_encoding",
        "getdatabaseencoding",
        "pg_backend_pid",
        "pg_is_in_recovery",
        "has_table_privilege",
        "has_schema_privilege",
        "has_database_privilege",
        "has_column_privilege",
        "has_function_privilege",
        "has_any_column_privilege",
        "has_sequence_privilege",
        "has_type_privilege",
        "pg_has_role",
        "array_upper",
        "array_lower",
        "quote_ident",
        "quote_literal",
        "current_setting",
        "set_config",
        "to_regclass",
        "to_regtype",
        "to_regproc",
        "to_regnamespace",
        "pg_advisory_unlock_all",
        "pg_postmaster_start_time",
        "pg_my_temp_schema",
        "pg_is_other_temp_schema",
        "pg_total_relation_size",
        "pg_relation_size",
        "pg_table_size",
        "pg_indexes_size",
        "pg_database_size",
        "pg_tablespace_size",
        "pg_size_pretty",
        "pg_tablespace_location",
        "inet_server_addr",
        "inet_server_port",
        "inet_client_addr",
        "pg_partition_ancestors",
    )
}

# PostgreSQL functions DuckDB has under another name.
DUCKDB_FUNCTION_NAMES = {"json_build_object": "json_object", "jsonb_build_object": "json_object"}
# Set-returning functions called in FROM, answered by the session's table macros.
TABLE_FUNCTION_RENAMES = {
    "pg_partition_ancestors": "dw_pg_partition_ancestors_rows",
    "pg_get_keywords": "dw_pg_get_keywords",
    "pg_partition_tree": "dw_pg_partition_tree",
    "pg_options_to_table": "dw_pg_options_to_table",
}
# Functions sqlglot parses into nodes of their own whose DuckDB namesake means something else.
GENERAL_FUNCTIONS: dict[type[exp.Expression], str] = {exp.Format: "dw_format"}

# Functions sqlglot parses into nodes of their own.
SPECIAL_FUNCTIONS: dict[type[exp.Expression], str] = {
    exp.CurrentVersion: "dw_version",
    exp.CurrentSchema: "dw_current_schema",
    exp.CurrentSchemas: "dw_current_schemas",
    exp.CurrentDatabase: "dw_current_database",
    exp.CurrentCatalog: "dw_current_database",
    exp.CurrentUser: "dw_current_user",
    exp.SessionUser: "dw_current_user",
}


def _renamed(node: exp.Expression) -> exp.Expression:
    """`node` routed to the session's implementation, or `node` itself."""
    if (
        isinstance(node, exp.Table)
        and isinstance(node.this, exp.Anonymous)
        and node.this.name.lower() in TABLE_FUNCTION_RENAMES
    ):
        node.this.set("this", TABLE_FUNCTION_RENAMES[node.this.name.lower()])
        return node
    general = GENERAL_FUNCTIONS.get(type(node))
    if general:
        return exp.Anonymous(this=general, expressions=[node.this, *node.expressions])
    special = SPECIAL_FUNCTIONS.get(type(node))
    if special:
        args = [node.this] if isinstance(node, exp.CurrentSchemas) and node.this else []
        return exp.Anonymous(this=special, expressions=args)
    if isinstance(node, exp.Anonymous) and node.name.lower() in FUNCTION_RENAMES:
        return exp.Anonymous(this=FUNCTION_RENAMES[node.name.lower()], expressions=node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.lower() in DUCKDB_FUNCTION_NAMES:
        return exp.Anonymous(
            this=DUCKDB_FUNCTION_NAMES[node.name.lower()], expressions=node.expressions
        )
    if isinstance(node, exp.Anonymous) and node.name.lower() == "version":
        return exp.Anonymous(this="dw_version")
    if (
        isinstance(node, exp.Column)
        and not node.table
        and node.name == "user"
        and not (node.this.quoted)
    ):
        return exp.Anonymous(this="dw_current_user")
    return node


def rename_functions(tree: exp.Expression) -> exp.Expression:
    """Route PostgreSQL's catalog and session functions to the session's implementations."""
    # Not tree.transform: it does not descend into a replacement, so `f(g(x))` would keep g.
    for node in list(tree.find_all(exp.Expression)):
        replacement = _renamed(node)
        if node is tree:
            tree = replacement
        elif replacement is not node:
            node.replace(replacement)
    return tree


# Passes that keep PostgreSQL's meaning visible (types are read from the tree after these).
PREPARE_PASSES: tuple[Callable[[exp.Expression], exp.Expression], ...] = (
    name_projections,
    strip_catalog_function_prefix,
    redirect_catalog_tables,
    resolve_tableoid,
    rewrite_operator_syntax,
    drop_default_collation,
)
# Passes that turn PostgreSQL-only syntax into DuckDB's.
TRANSLATE_PASSES: tuple[Callable[[exp.Expression], exp.Expression], ...] = (
    rewrite_reg_casts,
    rewrite_type_casts,
    shift_vector_subscripts,
    rewrite_expandarray,
    expand_select_list_series,
    rename_functions,
)


def parse(sql: str) -> exp.Expression:
    """Parse one statement of PostgreSQL SQL with the catalog dialect."""
    # parse_one() is annotated with the abstract Expr; a parsed statement is a concrete node.
    return cast(exp.Expression, sqlglot.parse_one(sql, read=DIALECT))


def prepare(tree: exp.Expression) -> exp.Expression:
    """A copy of the client's statement (parameters bound) with catalog names redirected."""
    tree = normalize_names(tree.copy())
    for rewrite_pass in PREPARE_PASSES:
        tree = rewrite_pass(tree)
    return tree


def translate(tree: exp.Expression) -> exp.Expression:
    """A prepared statement rewritten to run on the session's DuckDB catalog."""
    tree = tree.copy()
    for rewrite_pass in TRANSLATE_PASSES:
        tree = rewrite_pass(tree)
    return tree
