"""What one session's catalog shows: tables, their constraints, and the stable OIDs of both.

A constraint (primary key, unique, foreign key) shows when its table is a visible base table
holding all of its columns. A foreign key also needs the table it references to be visible,
with a primary key or unique constraint on exactly the referenced columns: PostgreSQL
records that constraint's index as the foreign key's `conindid`, and clients join through it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from connectors.base import ConstraintInfo, ConstraintKind, TableInfo
from pgwire.catalog import oids

#: DuckDB's default schema, and the name PostgreSQL clients expect for it
ENGINE_DEFAULT_SCHEMA = "main"
DEFAULT_SCHEMA = "public"


def display_schema(engine_schema: str) -> str:
    """The schema name clients see for an engine schema (`main` → `public`)."""
    return DEFAULT_SCHEMA if engine_schema == ENGINE_DEFAULT_SCHEMA else engine_schema


@dataclass(frozen=True)
class CatalogContent:
    """Everything one session's catalog shows: who, where, and what they may see."""

    database: str
    username: str
    databases: tuple[str, ...]
    tables: tuple[TableInfo, ...]
    settings: Mapping[str, str] = field(default_factory=dict)

    def namespace_oid(self, engine_schema: str) -> int:
        schema = display_schema(engine_schema)
        fixed = {DEFAULT_SCHEMA: oids.PUBLIC_NAMESPACE}
        return fixed.get(schema) or oids.stable_oid(self.database, schema)

    def table_oid(self, table: TableInfo) -> int:
        return oids.stable_oid(self.database, display_schema(table.schema), table.name)

    def rowtype_oid(self, table: TableInfo) -> int:
        return oids.stable_oid(self.database, display_schema(table.schema), table.name, "type")

    def rowtype_array_oid(self, table: TableInfo) -> int:
        return oids.stable_oid(self.database, display_schema(table.schema), table.name, "array")

    def index_oid(self, table: TableInfo, index_name: str) -> int:
        """An index is a relation of the table's schema, numbered like a table."""
        return oids.stable_oid(self.database, display_schema(table.schema), index_name)

    def constraint_oid(self, table: TableInfo, constraint_name: str) -> int:
        return oids.stable_oid(
            self.database, display_schema(table.schema), table.name, constraint_name, "constraint"
        )

    def user_schemas(self) -> list[str]:
        return sorted({display_schema(t.schema) for t in self.tables} - {DEFAULT_SCHEMA})

    @cached_property
    def constraints(self) -> tuple[CatalogConstraint, ...]:
        """Every constraint shown, table by table in the engine's order."""
        return _resolve_constraints(self)


#: pg_constraint.contype of each kind
CONTYPES = {
    ConstraintKind.PRIMARY_KEY: "p",
    ConstraintKind.UNIQUE: "u",
    ConstraintKind.FOREIGN_KEY: "f",
}


@dataclass(frozen=True)
class CatalogConstraint:
    """One constraint with the OIDs and column numbers the catalog shows for it."""

    info: ConstraintInfo
    table: TableInfo
    oid: int
    relid: int
    namespace_oid: int
    attnums: tuple[int, ...]
    #: primary key and unique: their own index; foreign key: the referenced key's index
    index_oid: int
    #: foreign key only: the primary key or unique constraint it references
    referenced: CatalogConstraint | None = None
    #: foreign key only: the referenced columns' numbers, in the foreign key's order
    referenced_attnums: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def contype(self) -> str:
        return CONTYPES[self.info.kind]

    @property
    def schema(self) -> str:
        """The schema clients see the constraint (and its table and index) in."""
        return display_schema(self.table.schema)

    @property
    def has_own_index(self) -> bool:
        return self.info.kind is not ConstraintKind.FOREIGN_KEY


def _attnums(table: TableInfo, names: tuple[str, ...]) -> tuple[int, ...] | None:
    """The columns' numbers (from 1), or None when one of them is not in the table."""
    numbers = {column.name: number for number, column in enumerate(table.columns, start=1)}
    if not names or any(name not in numbers for name in names):
        return None
    return tuple(numbers[name] for name in names)


def _constraint(
    content: CatalogContent,
    table: TableInfo,
    info: ConstraintInfo,
    attnums: tuple[int, ...],
    index_oid: int,
    referenced: CatalogConstraint | None = None,
    referenced_attnums: tuple[int, ...] = (),
) -> CatalogConstraint:
    return CatalogConstraint(
        info=info,
        table=table,
        oid=content.constraint_oid(table, info.name),
        relid=content.table_oid(table),
        namespace_oid=content.namespace_oid(table.schema),
        attnums=attnums,
        index_oid=index_oid,
        referenced=referenced,
        referenced_attnums=referenced_attnums,
    )


def _keys(content: CatalogContent, table: TableInfo) -> Iterator[CatalogConstraint]:
    for info in table.constraints:
        attnums = _attnums(table, info.columns)
        if info.kind is ConstraintKind.FOREIGN_KEY or attnums is None:
            continue
        yield _constraint(content, table, info, attnums, content.index_oid(table, info.name))


def _foreign_key(
    content: CatalogContent,
    table: TableInfo,
    info: ConstraintInfo,
    tables: dict[tuple[str, str], TableInfo],
    keys: dict[tuple[str, str], list[CatalogConstraint]],
) -> CatalogConstraint | None:
    referenced_name = (info.referenced_schema or "", info.referenced_table or "")
    referenced_table = tables.get(referenced_name)
    if referenced_table is None or len(info.referenced_columns) != len(info.columns):
        return None
    attnums = _attnums(table, info.columns)
    referenced_attnums = _attnums(referenced_table, info.referenced_columns)
    referenced = _referenced_key(keys[referenced_name], info.referenced_columns)
    if referenced is None or attnums is None or referenced_attnums is None:
        return None
    return _constraint(
        content, table, info, attnums, referenced.index_oid, referenced, referenced_attnums
    )


def _referenced_key(
    keys: list[CatalogConstraint], columns: tuple[str, ...]
) -> CatalogConstraint | None:
    """The primary key, or else the first unique constraint, on exactly `columns`."""
    matching = [key for key in keys if set(key.info.columns) == set(columns)]
    matching.sort(key=lambda key: key.info.kind is not ConstraintKind.PRIMARY_KEY)
    return matching[0] if matching else None


def _resolve_constraints(content: CatalogContent) -> tuple[CatalogConstraint, ...]:
    tables = {(t.schema, t.name): t for t in content.tables if t.kind != "view"}
    keys = {name: list(_keys(content, table)) for name, table in tables.items()}
    constraints = []
    for name, table in tables.items():
        own_keys = {key.name: key for key in keys[name]}
        for info in table.constraints:
            if info.kind is ConstraintKind.FOREIGN_KEY:
                foreign_key = _foreign_key(content, table, info, tables, keys)
                if foreign_key is not None:
                    constraints.append(foreign_key)
            elif info.name in own_keys:
                constraints.append(own_keys[info.name])
    return tuple(constraints)
