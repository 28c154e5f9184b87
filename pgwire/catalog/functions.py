"""PostgreSQL's catalog and session functions, installed into a session's DuckDB connection.

Answers that depend on the session's catalog (format_type, regclass input and output,
pg_get_constraintdef, pg_get_functiondef, pg_table_size, …) are Python functions over
snapshots of it (`FunctionSources`); constant answers are plain macros.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
from duckdb.func import FunctionNullHandling

from pgwire.catalog import oids
from pgwire.catalog.definitions import Definitions
from pgwire.catalog.function_definitions import FunctionDefinitions
from pgwire.catalog.identifiers import format_text, quote_literal
from pgwire.catalog.lookups import Lookups
from pgwire.catalog.sizes import Sizes, size_pretty
from pgwire.catalog.tables import VERSION_STRING


@dataclass(frozen=True)
class FunctionSources:
    """What the Python functions answer from: one session's catalog, looked at four ways."""

    lookups: Lookups
    constraints: Definitions
    functions: FunctionDefinitions
    sizes: Sizes


UdfSpec = tuple[str, Callable[..., Any], Sequence[str], str]


def _lookup_udfs(lookups: Lookups) -> list[UdfSpec]:
    return [
        ("dw_format_type", lookups.format_type, ["BIGINT", "INTEGER"], "VARCHAR"),
        ("dw_pg_get_userbyid", lookups.user_by_id, ["BIGINT"], "VARCHAR"),
        ("dw_pg_table_is_visible", lookups.table_is_visible, ["BIGINT"], "BOOLEAN"),
        ("dw_pg_type_is_visible", lookups.type_is_visible, ["BIGINT"], "BOOLEAN"),
        ("dw_to_regclass", lookups.to_regclass, ["VARCHAR"], "UINTEGER"),
        ("dw_regclass_out", lookups.regclass_out, ["BIGINT"], "VARCHAR"),
        ("dw_to_regtype", lookups.to_regtype, ["VARCHAR"], "UINTEGER"),
        ("dw_regtype_out", lookups.regtype_out, ["BIGINT"], "VARCHAR"),
        ("dw_to_regproc", lookups.to_regproc, ["VARCHAR"], "UINTEGER"),
        ("dw_regproc_out", lookups.regproc_out, ["BIGINT"], "VARCHAR"),
        ("dw_to_regprocedure", lookups.to_regprocedure, ["VARCHAR"], "UINTEGER"),
        ("dw_regprocedure_out", lookups.regprocedure_out, ["BIGINT"], "VARCHAR"),
        ("dw_to_regnamespace", lookups.to_regnamespace, ["VARCHAR"], "UINTEGER"),
        ("dw_regnamespace_out", lookups.regnamespace_out, ["BIGINT"], "VARCHAR"),
        ("dw_current_setting_udf", lookups.current_setting, ["VARCHAR", "BOOLEAN"], "VARCHAR"),
        ("dw_set_config", lookups.set_config, ["VARCHAR", "VARCHAR", "BOOLEAN"], "VARCHAR"),
    ]


def _udfs(sources: FunctionSources) -> list[UdfSpec]:
    constraints, functions, sizes = sources.constraints, sources.functions, sources.sizes
    return [
        *_lookup_udfs(sources.lookups),
        ("dw_indexdef_udf", constraints.index_definition, ["BIGINT", "BIGINT"], "VARCHAR"),
        ("dw_constraintdef_udf", constraints.constraint_definition, ["BIGINT"], "VARCHAR"),
        ("dw_pg_get_functiondef", functions.definition, ["BIGINT"], "VARCHAR"),
        ("dw_pg_get_function_arguments", functions.arguments, ["BIGINT"], "VARCHAR"),
        ("dw_pg_get_function_result", functions.result, ["BIGINT"], "VARCHAR"),
        ("dw_pg_get_function_sqlbody", functions.sql_body, ["BIGINT"], "VARCHAR"),
        ("dw_relation_size_udf", sizes.relation_size, ["BIGINT"], "BIGINT"),
        ("dw_pg_table_size", sizes.relation_size, ["BIGINT"], "BIGINT"),
        ("dw_pg_indexes_size", sizes.indexes_size, ["BIGINT"], "BIGINT"),
        ("dw_pg_total_relation_size", sizes.total_relation_size, ["BIGINT"], "BIGINT"),
        ("dw_database_size_udf", sizes.database_size, ["VARCHAR"], "BIGINT"),
        ("dw_tablespace_size_udf", sizes.tablespace_size, ["VARCHAR"], "BIGINT"),
        ("dw_pg_size_pretty", size_pretty, ["HUGEINT"], "VARCHAR"),
        ("dw_format_udf", format_text, ["VARCHAR", "VARCHAR[]"], "VARCHAR"),
        ("dw_quote_literal_udf", quote_literal, ["VARCHAR"], "VARCHAR"),
    ]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _null_macro(name: str, *arities: int, sql_type: str = "VARCHAR") -> str:
    overloads = ", ".join(
        f"({', '.join(f'a{i}' for i in range(arity))}) AS NULL::{sql_type}" for arity in arities
    )
    return f"CREATE MACRO {name}{overloads}"


def _constant_macro(name: str, value: str, *arities: int) -> str:
    overloads = ", ".join(
        f"({', '.join(f'a{i}' for i in range(arity))}) AS {value}" for arity in arities
    )
    return f"CREATE MACRO {name}{overloads}"


#: pg_<kind>_is_visible functions answered `true`
VISIBLE_KINDS = (
    "function",
    "collation",
    "operator",
    "opclass",
    "opfamily",
    "conversion",
    "statistics_obj",
    "ts_config",
    "ts_dict",
    "ts_parser",
    "ts_template",
)
#: format() takes any number of arguments; clients pass a few
FORMAT_MAX_ARGUMENTS = 8


def _format_macro() -> str:
    overloads = []
    for count in range(FORMAT_MAX_ARGUMENTS + 1):
        names = [f"a{i}" for i in range(count)]
        values = ", ".join(f"{name}::VARCHAR" for name in names)
        overloads.append(
            f"({', '.join(['template', *names])}) AS dw_format_udf(template, [{values}]::VARCHAR[])"
        )
    return "CREATE MACRO dw_format" + ", ".join(overloads)


def _macros(lookups: Lookups, backend_pid: int) -> list[str]:
    schemas_true = "[" + ", ".join(map(_quote, lookups.current_schemas(True))) + "]"
    schemas_false = "[" + ", ".join(map(_quote, lookups.current_schemas(False))) + "]"
    current_schema = _quote(lookups.path()[0]) if lookups.path() else "NULL::VARCHAR"
    privileges = (
        "has_table_privilege",
        "has_schema_privilege",
        "has_database_privilege",
        "has_column_privilege",
        "has_function_privilege",
        "has_any_column_privilege",
        "has_sequence_privilege",
        "has_type_privilege",
        "pg_has_role",
    )
    nulls = {
        "obj_description": (1, 2),
        "col_description": (2,),
        "shobj_description": (2,),
        "pg_get_expr": (2, 3),
        "pg_get_viewdef": (1, 2),
        "pg_get_ruledef": (1, 2),
        "pg_get_triggerdef": (1, 2),
        "pg_get_serial_sequence": (2,),
        "pg_get_statisticsobjdef_columns": (1,),
        "pg_tablespace_location": (1,),
        "pg_describe_object": (3,),
        "pg_advisory_unlock_all": (0,),
        "inet_server_addr": (0,),
        "inet_client_addr": (0,),
    }
    return [
        _constant_macro("dw_version", _quote(VERSION_STRING), 0),
        _constant_macro("dw_current_database", _quote(lookups.database), 0),
        _constant_macro("dw_current_user", _quote(lookups.username), 0),
        _constant_macro("dw_current_schema", current_schema, 0),
        f"CREATE MACRO dw_current_schemas(implicit) AS "
        f"CASE WHEN implicit THEN {schemas_true}::VARCHAR[] ELSE {schemas_false}::VARCHAR[] END",
        _constant_macro("dw_pg_backend_pid", str(backend_pid), 0),
        _constant_macro("dw_pg_is_in_recovery", "false", 0),
        _constant_macro("dw_pg_relation_is_publishable", "false", 1),
        _constant_macro("dw_pg_my_temp_schema", "0::UINTEGER", 0),
        _constant_macro("dw_pg_is_other_temp_schema", "false", 1),
        _constant_macro("dw_inet_server_port", "NULL::INTEGER", 0),
        _constant_macro("dw_pg_postmaster_start_time", "TIMESTAMPTZ '2000-01-01 00:00:00+00'", 0),
        *(_constant_macro(f"dw_{name}", "true", 1, 2, 3) for name in privileges),
        # Every such object is a built-in one, in pg_catalog, which is always searched.
        *(_constant_macro(f"dw_pg_{kind}_is_visible", "true", 1) for kind in VISIBLE_KINDS),
        *(_null_macro(f"dw_{name}", *arities) for name, arities in nulls.items()),
        "CREATE MACRO dw_pg_encoding_to_char(encoding) AS "
        f"CASE WHEN encoding = {oids.UTF8_ENCODING} THEN 'UTF8' ELSE '' END",
        "CREATE MACRO dw_pg_char_to_encoding(name) AS "
        f"CASE WHEN upper(name) = 'UTF8' THEN {oids.UTF8_ENCODING} ELSE -1 END",
        _constant_macro("dw_getdatabaseencoding", "'UTF8'", 0),
        "CREATE MACRO dw_pg_relation_size(rel) AS dw_relation_size_udf(rel), "
        "(rel, fork) AS CASE WHEN fork = 'main' THEN dw_relation_size_udf(rel) ELSE 0 END",
        "CREATE MACRO dw_pg_database_size(db) AS dw_database_size_udf(db::VARCHAR)",
        "CREATE MACRO dw_pg_tablespace_size(space) AS dw_tablespace_size_udf(space::VARCHAR)",
        _format_macro(),
        "CREATE MACRO dw_quote_literal(value) AS "
        "CASE WHEN value IS NOT NULL THEN dw_quote_literal_udf(value::VARCHAR) END",
        "CREATE MACRO dw_pg_get_indexdef(index) AS dw_indexdef_udf(index, 0), "
        "(index, column_number, pretty) AS dw_indexdef_udf(index, column_number)",
        "CREATE MACRO dw_pg_get_constraintdef(con) AS dw_constraintdef_udf(con), "
        "(con, pretty) AS dw_constraintdef_udf(con)",
        "CREATE MACRO dw_current_setting(name) AS dw_current_setting_udf(name, false), "
        "(name, missing_ok) AS dw_current_setting_udf(name, missing_ok)",
        "CREATE MACRO dw_array_upper(arr, dim) AS "
        "CASE WHEN dim = 1 AND len(arr) > 0 THEN len(arr) END",
        "CREATE MACRO dw_array_lower(arr, dim) AS CASE WHEN dim = 1 AND len(arr) > 0 THEN 1 END",
        "CREATE MACRO dw_expandarray(arr) AS "
        "list_transform(range(1, len(arr) + 1), lambda i: {'x': arr[i], 'n': i::INTEGER})",
        "CREATE MACRO dw_quote_ident(ident) AS CASE "
        "WHEN regexp_full_match(ident, '[a-z_][a-z0-9_$]*') THEN ident "
        "ELSE '\"' || replace(ident, '\"', '\"\"') || '\"' END",
        # A relation that is not a partition is its own only ancestor.
        "CREATE MACRO dw_pg_partition_ancestors(relid) AS relid::UINTEGER",
        "CREATE MACRO dw_pg_partition_ancestors_rows(rel) AS TABLE "
        "SELECT rel::UINTEGER AS relid, 1::BIGINT AS depth",
        "CREATE MACRO dw_pg_partition_tree(rel) AS TABLE "
        "SELECT NULL::UINTEGER AS relid, NULL::UINTEGER AS parentrelid, NULL::BOOLEAN AS isleaf, "
        "NULL::INTEGER AS level WHERE false",
        "CREATE MACRO dw_pg_options_to_table(options) AS TABLE "
        "SELECT split_part(option, '=', 1) AS option_name, "
        "CASE WHEN contains(option, '=') THEN option[strpos(option, '=') + 1:] END "
        "AS option_value FROM unnest(options) AS entries(option)",
        "CREATE MACRO dw_pg_get_keywords() AS TABLE "
        "SELECT NULL::VARCHAR AS word, NULL::VARCHAR AS catcode, NULL::VARCHAR AS catdesc "
        "WHERE false",
    ]


def install_functions(
    connection: duckdb.DuckDBPyConnection, sources: FunctionSources, *, backend_pid: int
) -> None:
    """Create every `dw_*` function the rewritten queries call (rewrite.FUNCTION_RENAMES)."""
    for name, function, parameters, return_type in _udfs(sources):
        connection.create_function(
            name,
            function,
            # A fresh list: create_function wants list[IntoPyType], and list is invariant.
            list(parameters),
            return_type,
            null_handling=FunctionNullHandling.SPECIAL,
            side_effects=name == "dw_set_config",
        )
    for statement in _macros(sources.lookups, backend_pid):
        connection.execute(statement)
