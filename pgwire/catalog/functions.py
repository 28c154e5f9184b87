"""PostgreSQL's catalog and session functions, installed into a session's DuckDB connection.

Lookups by OID or name (format_type, pg_get_userbyid, regclass input/output…) are Python
functions over a `Lookups` snapshot of the session's catalog: a DuckDB macro with a scalar
subquery would capture the caller's column names (`format_type(oid, …)` would bind `oid`
inside the macro's own FROM). Constant answers are plain macros.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import duckdb
import pyarrow as pa
from duckdb.func import FunctionNullHandling

from pgwire.catalog import oids
from pgwire.catalog.content import DEFAULT_SCHEMA
from pgwire.catalog.definitions import Definitions
from pgwire.catalog.identifiers import quote_identifier, quote_qualified
from pgwire.catalog.tables import VERSION_STRING, merged_settings
from pgwire.catalog.types import format_type, pg_type_for

Catalog = Mapping[tuple[str, str], pa.Table]


def _split_qualified(text: str) -> tuple[str | None, str]:
    """`'"My".tbl'` → ("My", "tbl"): PostgreSQL's identifier rules for reg* input."""
    parts = []
    for part in text.split("."):
        part = part.strip()
        parts.append(part[1:-1].replace('""', '"') if part.startswith('"') else part.lower())
    return (parts[-2] if len(parts) > 1 else None), parts[-1]


def search_path_schemas(search_path: str, existing: set[str], username: str) -> list[str]:
    """The schemas of a search_path setting that exist, in order (`$user` resolved)."""
    schemas = []
    for entry in search_path.split(","):
        name = entry.strip().strip('"')
        name = username if name == "$user" else name
        if name in existing and name not in schemas:
            schemas.append(name)
    return schemas


@dataclass
class Lookups:
    """Name ↔ OID maps over one session's catalog, for the functions below."""

    namespaces: dict[int, str]
    relations: dict[int, tuple[int, str]]  # oid → (namespace oid, relname)
    types: dict[int, tuple[int, str, int]]  # oid → (namespace oid, typname, typrelid)
    procs: dict[int, str]
    roles: dict[int, str]
    username: str
    database: str
    settings: MutableMapping[str, str]

    @classmethod
    def from_catalog(
        cls, catalog: Catalog, *, username: str, database: str, settings: Mapping[str, str]
    ) -> Lookups:
        def rows(name: str) -> list[dict[str, Any]]:
            return cast(list[dict[str, Any]], catalog["pg_catalog", name].to_pylist())

        return cls(
            namespaces={r["oid"]: r["nspname"] for r in rows("pg_namespace")},
            relations={r["oid"]: (r["relnamespace"], r["relname"]) for r in rows("pg_class")},
            types={
                r["oid"]: (r["typnamespace"], r["typname"], r["typrelid"]) for r in rows("pg_type")
            },
            procs={r["oid"]: r["proname"] for r in rows("pg_proc")},
            roles={r["oid"]: r["rolname"] for r in rows("pg_authid")},
            username=username,
            database=database,
            settings=merged_settings(settings),
        )

    # -- search path

    def path(self) -> list[str]:
        return search_path_schemas(
            self.settings.get("search_path", DEFAULT_SCHEMA),
            set(self.namespaces.values()),
            self.username,
        )

    def visible_namespaces(self) -> set[int]:
        visible = {"pg_catalog", *self.path()}
        return {oid for oid, name in self.namespaces.items() if name in visible}

    def current_schemas(self, include_implicit: bool) -> list[str]:
        path = self.path()
        return (["pg_catalog"] if include_implicit and "pg_catalog" not in path else []) + path

    # -- reg* input and output

    def _namespace_oid(self, name: str) -> int | None:
        return next((oid for oid, nsp in self.namespaces.items() if nsp == name), None)

    def _qualify(self, namespace_oid: int, name: str) -> str:
        if namespace_oid in self.visible_namespaces():
            return name
        return f"{self.namespaces.get(namespace_oid, '?')}.{name}"

    def to_regclass(self, text: str | None) -> int | None:
        if text is None or text.strip().isdigit():
            return None if text is None else int(text)
        schema, name = _split_qualified(text)
        order = [schema] if schema else ["pg_catalog", *self.path()]
        for schema_name in order:
            namespace = self._namespace_oid(schema_name)
            for oid, (nsp, relname) in self.relations.items():
                if nsp == namespace and relname == name:
                    return oid
        return None

    def relation_name(self, oid: int) -> str:
        """A relation's name as PostgreSQL's generate_relation_name prints it: bare when the
        search path finds this relation first under that name, else schema-qualified."""
        namespace, name = self.relations[oid]
        taken = set(self.relations.values())
        path = [self._namespace_oid(schema) for schema in self.current_schemas(True)]
        if next((nsp for nsp in path if (nsp, name) in taken), None) == namespace:
            return quote_identifier(name)
        return quote_qualified(self.namespaces.get(namespace, "?"), name)

    def regclass_out(self, oid: int | None) -> str | None:
        if oid is None or oid not in self.relations:
            return None if oid is None else str(oid)
        namespace, name = self.relations[oid]
        return self._qualify(namespace, name)

    def to_regtype(self, text: str | None) -> int | None:
        if text is None or text.strip().isdigit():
            return None if text is None else int(text)
        schema, name = _split_qualified(text)
        for oid, (nsp, typname, _) in self.types.items():
            if typname == name and (schema is None or self.namespaces.get(nsp) == schema):
                return oid
        mapped = pg_type_for(name)
        return mapped.oid if mapped.name != "text" or name == "text" else None

    def regtype_out(self, oid: int | None) -> str | None:
        if oid is None:
            return None
        builtin_name = format_type(oid, None)
        if builtin_name is not None:
            return builtin_name
        if oid not in self.types:
            return str(oid)
        namespace, name, _ = self.types[oid]
        return self._qualify(namespace, name)

    def to_regproc(self, text: str | None) -> int | None:
        if text is None or text.strip().isdigit():
            return None if text is None else int(text)
        _, name = _split_qualified(text)
        return next((oid for oid, proname in self.procs.items() if proname == name), None)

    def regproc_out(self, oid: int | None) -> str | None:
        if oid is None:
            return None
        return self.procs.get(oid, "-" if oid == 0 else str(oid))

    def to_regnamespace(self, text: str | None) -> int | None:
        return None if text is None else self._namespace_oid(_split_qualified(text)[1])

    def regnamespace_out(self, oid: int | None) -> str | None:
        return None if oid is None else self.namespaces.get(oid, str(oid))

    # -- other lookups

    def format_type(self, oid: int | None, typmod: int | None) -> str | None:
        if oid is None:
            return None
        return format_type(oid, typmod) or self.regtype_out(oid)

    def user_by_id(self, oid: int | None) -> str | None:
        return None if oid is None else self.roles.get(oid, f"unknown (OID={oid})")

    def table_is_visible(self, oid: int | None) -> bool | None:
        if oid is None:
            return None
        return self.relations.get(oid, (None, ""))[0] in self.visible_namespaces()

    def type_is_visible(self, oid: int | None) -> bool | None:
        if oid is None:
            return None
        return self.types.get(oid, (None, "", 0))[0] in self.visible_namespaces()

    def current_setting(self, name: str | None, missing_ok: bool | None) -> str | None:
        if name is None:
            return None
        canonical = {key.lower(): key for key in self.settings}
        key = canonical.get(name.lower())
        if key is None and not missing_ok:
            raise duckdb.InvalidInputException(f'unrecognized configuration parameter "{name}"')
        return None if key is None else self.settings[key]

    def set_config(self, name: str | None, value: str | None, is_local: bool | None) -> str | None:
        if name is None:
            return None
        canonical = {key.lower(): key for key in self.settings}
        self.settings[canonical.get(name.lower(), name)] = value or ""
        return value


UdfSpec = tuple[str, Callable[..., Any], Sequence[str], str]


def _udfs(lookups: Lookups, definitions: Definitions) -> list[UdfSpec]:
    return [
        ("dw_indexdef_udf", definitions.index_definition, ["BIGINT", "BIGINT"], "VARCHAR"),
        ("dw_constraintdef_udf", definitions.constraint_definition, ["BIGINT"], "VARCHAR"),
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
        ("dw_to_regprocedure", lookups.to_regproc, ["VARCHAR"], "UINTEGER"),
        ("dw_to_regnamespace", lookups.to_regnamespace, ["VARCHAR"], "UINTEGER"),
        ("dw_regnamespace_out", lookups.regnamespace_out, ["BIGINT"], "VARCHAR"),
        ("dw_current_setting_udf", lookups.current_setting, ["VARCHAR", "BOOLEAN"], "VARCHAR"),
        ("dw_set_config", lookups.set_config, ["VARCHAR", "VARCHAR", "BOOLEAN"], "VARCHAR"),
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
        "pg_get_triggerdef": (1, 2),
        "pg_get_function_result": (1,),
        "pg_get_function_arguments": (1,),
        "pg_get_serial_sequence": (2,),
        "pg_get_statisticsobjdef_columns": (1,),
        "pg_tablespace_location": (1,),
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
        *(
            _constant_macro(f"dw_pg_{size}", "0::BIGINT", 1)
            for size in ("total_relation_size", "relation_size", "table_size", "indexes_size")
        ),
        *(_constant_macro(f"dw_{name}", "true", 1, 2, 3) for name in privileges),
        *(
            _constant_macro(f"dw_pg_{kind}_is_visible", "true", 1)
            for kind in ("function", "collation")
        ),
        *(_null_macro(f"dw_{name}", *arities) for name, arities in nulls.items()),
        "CREATE MACRO dw_pg_encoding_to_char(encoding) AS "
        f"CASE WHEN encoding = {oids.UTF8_ENCODING} THEN 'UTF8' ELSE '' END",
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
        "CREATE MACRO dw_pg_get_keywords() AS TABLE "
        "SELECT NULL::VARCHAR AS word, NULL::VARCHAR AS catcode, NULL::VARCHAR AS catdesc "
        "WHERE false",
    ]


def install_functions(
    connection: duckdb.DuckDBPyConnection,
    lookups: Lookups,
    definitions: Definitions,
    *,
    backend_pid: int,
) -> None:
    """Create every `dw_*` function the rewritten queries call (rewrite.FUNCTION_RENAMES)."""
    for name, function, parameters, return_type in _udfs(lookups, definitions):
        connection.create_function(
            name,
            function,
            # A fresh list: create_function wants list[IntoPyType], and list is invariant.
            list(parameters),
            return_type,
            null_handling=FunctionNullHandling.SPECIAL,
            side_effects=name == "dw_set_config",
        )
    for statement in _macros(lookups, backend_pid):
        connection.execute(statement)
