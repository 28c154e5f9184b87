"""Which statements may run at all: reads pass, everything else is refused.

Deny by default: a statement passes only if its top node is a read kind, no write hides
inside it (a data-modifying CTE, SELECT … INTO), it calls no function that reads files or
reaches outside, and it names no file or URL as a table. Engines enforce the same again
(DuckDB without external access, PostgreSQL in read-only transactions).
"""

from __future__ import annotations

import re
from enum import StrEnum

from sqlglot import exp

from connectors.errors import QueryRefused
from connectors.sql.parse import explained_statement, refusal_message


class StatementKind(StrEnum):
    SELECT = "SELECT"
    VALUES = "VALUES"
    SHOW = "SHOW"
    DESCRIBE = "DESCRIBE"
    EXPLAIN = "EXPLAIN"


_READ_NODES: dict[type[exp.Expression], StatementKind] = {
    exp.Select: StatementKind.SELECT,
    exp.Union: StatementKind.SELECT,
    exp.Intersect: StatementKind.SELECT,
    exp.Except: StatementKind.SELECT,
    exp.Subquery: StatementKind.SELECT,
    exp.Values: StatementKind.VALUES,
    exp.Show: StatementKind.SHOW,
    exp.Describe: StatementKind.DESCRIBE,
    # DuckDB's own read statements: PIVOT/UNPIVOT reshape, SUMMARIZE profiles columns
    exp.Pivot: StatementKind.SELECT,
    exp.Summarize: StatementKind.DESCRIBE,
}

#: statements sqlglot keeps as an opaque command that are reads
_READ_COMMANDS: dict[str, StatementKind] = {
    "SHOW": StatementKind.SHOW,
    "EXPLAIN": StatementKind.EXPLAIN,
}

#: nodes that write or change state wherever they appear, even nested in a read
_WRITE_NODES: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Copy,
    exp.Into,
    exp.Command,
    exp.Attach,
    exp.Detach,
    exp.Install,
    exp.Set,
    exp.Pragma,
    exp.Use,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Grant,
    exp.Revoke,
    exp.LoadData,
    exp.Cache,
    exp.Uncache,
    exp.Refresh,
    exp.Kill,
    exp.Export,
    exp.Declare,
    exp.Comment,
    exp.Analyze,
)

#: how a refused node is named to the user where its class name would not say it
_KIND_NAMES: dict[type[exp.Expression], str] = {
    exp.TruncateTable: "TRUNCATE",
    exp.Transaction: "BEGIN",
    exp.Into: "SELECT … INTO",
    exp.LoadData: "LOAD DATA",
}

#: functions that read files, list them, reach other databases or run SQL from strings
DENIED_FUNCTIONS = frozenset(
    {
        "read_csv",
        "read_csv_auto",
        "read_parquet",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "parquet_file_metadata",
        "parquet_kv_metadata",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_json_objects_auto",
        "read_ndjson",
        "read_ndjson_auto",
        "read_ndjson_objects",
        "json_scan",
        "glob",
        "sniff_csv",
        "read_text",
        "read_blob",
        "postgres_scan",
        "postgres_query",
        "sqlite_scan",
        "sqlite_query",
        "mysql_query",
        "iceberg_scan",
        "iceberg_metadata",
        "delta_scan",
        "query",
        "query_table",
        "csv_scan",
        "read_xlsx",
        "st_read",
        "getenv",
        "http_get",
        "http_post",
        # PostgreSQL: server files, other servers, session settings, other backends
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
        "pg_stat_file",
        "lo_import",
        "lo_export",
        "dblink",
        "dblink_exec",
        "set_config",
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
    }
)

#: the only table functions a FROM clause may call: generators over values, never sources
ALLOWED_TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "generate_series",
        "exploding_generate_series",
        "unnest",
        "explode",
        "posexplode",
        "explode_outer",
        "posexplode_outer",
        "inline",
        "json_each",
        "json_tree",
        "jsonb_each",
        "json_each_text",
        "jsonb_each_text",
        "json_array_elements",
        "jsonb_array_elements",
        "json_array_elements_text",
        "jsonb_array_elements_text",
        "regexp_split_to_table",
        "generate_subscripts",
        "stack",
    }
)

# A table name with a path separator, a URL scheme, a glob or a file extension is a file
# to DuckDB's replacement scans, not a table.
_FILE_LIKE_NAME = re.compile(
    r"[/\\*?]|://|\.(?:csv|tsv|txt|parquet|json|jsonl|ndjson|gz|zst|db|duckdb|sqlite|xlsx)$",
    re.IGNORECASE,
)


def classify(expression: exp.Expression) -> StatementKind:
    """The read kind of `expression`; raises QueryRefused naming the kind if it may not run.

    Raises QueryRefused also for a read that hides a write, calls a function that reads
    files or reaches outside, or names a file or URL as a table; SqlSyntaxError if the body
    of an EXPLAIN does not parse.
    """
    kind = _top_kind(expression)
    if kind is StatementKind.EXPLAIN:
        assert isinstance(expression, exp.Command)
        explained = explained_statement(expression)
        assert explained is not None
        classify(explained)
        return kind
    if kind is StatementKind.SHOW:
        return kind
    for node in expression.walk():
        _check_node(node)
    return kind


def _top_kind(expression: exp.Expression) -> StatementKind:
    if isinstance(expression, exp.Command):
        command_kind = _READ_COMMANDS.get(expression.name.upper())
        if command_kind is None:
            raise QueryRefused(refusal_message(kind_name(expression)))
        return command_kind
    read_kind = _READ_NODES.get(type(expression))
    if read_kind is None:
        raise QueryRefused(refusal_message(kind_name(expression)))
    return read_kind


def _check_node(node: exp.Expr) -> None:
    if isinstance(node, _WRITE_NODES):
        raise QueryRefused(refusal_message(kind_name(node)))
    if isinstance(node, exp.Func) and function_name(node) in DENIED_FUNCTIONS:
        raise QueryRefused(f"the function {function_name(node)} reads outside the data source")
    if isinstance(node, exp.Table):
        _check_table(node)


def _check_table(table: exp.Table) -> None:
    source = table.this
    if isinstance(source, exp.Func):
        name = function_name(source)
        if name not in ALLOWED_TABLE_FUNCTIONS:
            raise QueryRefused(f"the table function {name} is not allowed")
    elif isinstance(source, exp.Identifier) and _FILE_LIKE_NAME.search(source.name):
        raise QueryRefused(f"{source.name!r} names a file or URL, not a table")


def function_name(function: exp.Func) -> str:
    """A function's name as users write it, lower case (`read_csv`, `glob`)."""
    if isinstance(function, exp.Anonymous):
        return function.name.lower()
    return function.sql_name().lower()


def kind_name(expression: exp.Expression) -> str:
    """How a statement kind is named in messages: `INSERT`, `CREATE TABLE`, `LOAD`."""
    if isinstance(expression, exp.Command):
        return expression.name.upper()
    if isinstance(expression, exp.Column):
        # a lone keyword sqlglot does not know (CHECKPOINT) parses as a column
        return expression.name.upper()
    name = _KIND_NAMES.get(type(expression), type(expression).__name__.upper())
    object_kind = expression.args.get("kind")
    if isinstance(object_kind, str) and isinstance(expression, (exp.Create, exp.Drop, exp.Alter)):
        return f"{name} {object_kind.upper()}"
    return name
