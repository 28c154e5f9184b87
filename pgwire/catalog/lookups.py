"""Name ↔ OID lookups over one session's catalog: reg* input and output, the search path,
format_type, settings. Python, not SQL macros: a DuckDB macro with a scalar subquery would
capture the caller's column names (`format_type(oid, …)` would bind `oid` inside the
macro's own FROM).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, cast

import duckdb
import pyarrow as pa

from pgwire.catalog.content import DEFAULT_SCHEMA
from pgwire.catalog.identifiers import quote_identifier, quote_qualified
from pgwire.catalog.tables import merged_settings
from pgwire.types.builtin import format_type
from pgwire.types.engine import pg_type_for

Catalog = Mapping[tuple[str, str], pa.Table]


def _split_qualified(text: str) -> tuple[str | None, str]:
    """`'"My".tbl'` → ("My", "tbl"): PostgreSQL's identifier rules for reg* input."""
    parts = []
    for part in text.split("."):
        part = part.strip()
        parts.append(part[1:-1].replace('""', '"') if part.startswith('"') else part.lower())
    return (parts[-2] if len(parts) > 1 else None), parts[-1]


def _split_arguments(text: str) -> list[str]:
    """`'integer, numeric(10,2)'` → ["integer", "numeric(10,2)"]: the argument types of a
    regprocedure, split at the commas outside parentheses."""
    arguments, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            arguments.append(current.strip())
            current = ""
            continue
        depth += (char == "(") - (char == ")")
        current += char
    return [*arguments, current.strip()] if current.strip() else arguments


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
    """Name ↔ OID maps over one session's catalog, for the functions of functions.py."""

    namespaces: dict[int, str]
    relations: dict[int, tuple[int, str]]  # oid → (namespace oid, relname)
    types: dict[int, tuple[int, str, int]]  # oid → (namespace oid, typname, typrelid)
    procs: dict[int, str]
    proc_argument_types: dict[int, tuple[int, ...]]
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
            proc_argument_types={r["oid"]: tuple(r["proargtypes"]) for r in rows("pg_proc")},
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

    def procs_named(self, text: str) -> list[int]:
        """The functions a regproc names, by name alone (all overloads)."""
        _, name = _split_qualified(text)
        return [oid for oid, proname in self.procs.items() if proname == name]

    def to_regproc(self, text: str | None) -> int | None:
        if text is None or text.strip().isdigit():
            return None if text is None else int(text)
        return next(iter(self.procs_named(text)), None)

    def regproc_out(self, oid: int | None) -> str | None:
        if oid is None:
            return None
        return self.procs.get(oid, "-" if oid == 0 else str(oid))

    def to_regprocedure(self, text: str | None) -> int | None:
        """`name(type, …)` → the function of that name taking exactly those types."""
        if text is None or text.strip().isdigit():
            return None if text is None else int(text)
        name, _, arguments = text.partition("(")
        argument_types = [
            self.to_regtype(argument)
            for argument in _split_arguments(arguments.strip().removesuffix(")"))
        ]
        return next(
            (
                oid
                for oid in self.procs_named(name)
                if list(self.proc_argument_types[oid]) == argument_types
            ),
            None,
        )

    def regprocedure_out(self, oid: int | None) -> str | None:
        """`name(type,type)`, as PostgreSQL's format_procedure writes a function."""
        if oid is None or oid not in self.procs:
            return None if oid is None else ("-" if oid == 0 else str(oid))
        argument_types = ",".join(
            self.format_type(type_oid, None) or str(type_oid)
            for type_oid in self.proc_argument_types[oid]
        )
        return f"{quote_identifier(self.procs[oid])}({argument_types})"

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
