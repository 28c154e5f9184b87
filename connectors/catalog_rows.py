"""TableInfos from the rows an engine's own catalog answers with (DuckDB, PostgreSQL).

Engines that keep no constraint names (DuckDB) get the names PostgreSQL would have chosen
(`ChooseIndexName` and `ChooseConstraintName` in PostgreSQL's src/backend/commands):
`<table>_pkey`, `<table>_<columns>_key`, `<table>_<columns>_fkey`, cut to 63 bytes and
numbered when the name is taken in the schema.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from connectors.base import ColumnInfo, ConstraintInfo, ConstraintKind, TableInfo

#: PostgreSQL's NAMEDATALEN - 1: the longest identifier, in bytes
MAX_NAME_BYTES = 63
NAME_LABELS = {
    ConstraintKind.PRIMARY_KEY: "pkey",
    ConstraintKind.UNIQUE: "key",
    ConstraintKind.FOREIGN_KEY: "fkey",
}


def tables_from_rows(
    table_rows: Iterable[Sequence[object]],
    column_rows: Iterable[Sequence[object]],
    constraint_rows: Iterable[Sequence[object]] = (),
) -> list[TableInfo]:
    """TableInfos from catalog rows, in the order of `table_rows`.

    Rows are: tables (schema, name, kind, row_count); columns (schema, table, name, type,
    is_nullable) in column order; constraints (schema, table, name or None, kind as a
    ConstraintKind value, columns, referenced schema, referenced table, referenced columns)
    in creation order.
    """
    tables = [
        (str(schema), str(name), str(kind), count) for schema, name, kind, count in table_rows
    ]
    columns: dict[tuple[str, str], list[ColumnInfo]] = defaultdict(list)
    for schema, table, name, data_type, is_nullable in column_rows:
        columns[(str(schema), str(table))].append(
            ColumnInfo(str(name), str(data_type), bool(is_nullable))
        )
    constraints = _Constraints(tables, columns)
    for row in constraint_rows:
        constraints.add(*row)
    return [
        TableInfo(
            schema=schema,
            name=name,
            columns=tuple(columns[(schema, name)]),
            kind=kind,
            row_count=row_count if isinstance(row_count, int) else None,
            constraints=tuple(constraints.of_table(schema, name)),
        )
        for schema, name, kind, row_count in tables
    ]


class _Constraints:
    """Constraints gathered per table, with the catalog's spelling of every name and
    PostgreSQL's name where the engine gives none."""

    def __init__(
        self,
        tables: list[tuple[str, str, str, object]],
        columns: dict[tuple[str, str], list[ColumnInfo]],
    ) -> None:
        tables_by_schema: dict[str, list[str]] = defaultdict(list)
        for schema, name, _, _ in tables:
            tables_by_schema[schema].append(name)
        self._tables = {schema: _Spelling(names) for schema, names in tables_by_schema.items()}
        self._columns = {key: _Spelling(c.name for c in infos) for key, infos in columns.items()}
        self._names = _SchemaNames([(schema, name) for schema, name, _, _ in tables])
        self._by_table: dict[tuple[str, str], list[ConstraintInfo]] = defaultdict(list)

    def add(
        self,
        schema: object,
        table: object,
        name: object,
        kind: object,
        columns: object,
        referenced_schema: object,
        referenced_table: object,
        referenced_columns: object,
    ) -> None:
        key = (str(schema), self._table_name(str(schema), table))
        ref_schema = None if referenced_schema is None else str(referenced_schema)
        ref_table = None
        if ref_schema is not None and referenced_table is not None:
            ref_table = self._table_name(ref_schema, referenced_table)
        constraint = ConstraintInfo(
            name=str(name or ""),
            kind=ConstraintKind(str(kind)),
            columns=self._column_names(key, columns),
            referenced_schema=ref_schema,
            referenced_table=ref_table,
            referenced_columns=self._column_names(
                (ref_schema or "", ref_table or ""), referenced_columns
            ),
        )
        if not constraint.name:
            constraint = replace(constraint, name=self._names.choose(*key, constraint))
        self._by_table[key].append(constraint)

    def of_table(self, schema: str, name: str) -> list[ConstraintInfo]:
        return self._by_table.get((schema, name), [])

    def _table_name(self, schema: str, name: object) -> str:
        spelling = self._tables.get(schema)
        return spelling.of(str(name)) if spelling else str(name)

    def _column_names(self, table: tuple[str, str], names: object) -> tuple[str, ...]:
        if not isinstance(names, Sequence):
            return ()
        spelling = self._columns.get(table)
        return tuple(spelling.of(str(n)) if spelling else str(n) for n in names)


class _Spelling:
    """The catalog's own spelling of a name an engine reports as written in the DDL: DuckDB
    keeps `REFERENCES Customers(ID)` as typed, since its names ignore case."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = set(names)
        self._folded = {name.lower(): name for name in self._names}

    def of(self, name: str) -> str:
        return name if name in self._names else self._folded.get(name.lower(), name)


class _SchemaNames:
    """The relation and constraint names taken in each schema, as PostgreSQL checks them."""

    def __init__(self, relations: list[tuple[str, str]]) -> None:
        self._relations: dict[str, set[str]] = defaultdict(set)
        self._constraints: dict[str, set[str]] = defaultdict(set)
        for schema, name in relations:
            self._relations[schema].add(name)

    def choose(self, schema: str, table: str, constraint: ConstraintInfo) -> str:
        """PostgreSQL's name for an unnamed constraint; its index name for p and u."""
        label = NAME_LABELS[constraint.kind]
        addition = (
            None if constraint.kind is ConstraintKind.PRIMARY_KEY else "_".join(constraint.columns)
        )
        has_index = constraint.kind is not ConstraintKind.FOREIGN_KEY
        suffix = 0
        while True:
            name = object_name(table, addition, f"{label}{suffix or ''}")
            is_taken = name in self._constraints[schema] or (
                has_index and name in self._relations[schema]
            )
            if not is_taken:
                break
            suffix += 1
        self._constraints[schema].add(name)
        if has_index:
            self._relations[schema].add(name)
        return name


def object_name(name1: str, name2: str | None, label: str) -> str:
    """`name1_name2_label` in at most 63 bytes, cutting the longer of name1 and name2 first
    (PostgreSQL's makeObjectName)."""
    first, second = name1.encode(), (name2 or "").encode()
    overhead = len(label) + 1 + (1 if name2 is not None else 0)
    available = MAX_NAME_BYTES - overhead
    first_bytes, second_bytes = len(first), len(second)
    while first_bytes + second_bytes > available:
        if first_bytes > second_bytes:
            first_bytes -= 1
        else:
            second_bytes -= 1
    parts = [_clip(first, first_bytes)]
    if name2 is not None:
        parts.append(_clip(second, second_bytes))
    return "_".join([*parts, label])


def _clip(name: bytes, length: int) -> str:
    """The first `length` bytes of a UTF-8 name, never ending inside a character."""
    return name[:length].decode(errors="ignore")
