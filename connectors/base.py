"""The connector protocol: what every engine adapter offers, and the plain data it speaks.

A connector is opened for one unit of work (a run, a schema listing, a wire session's
query), used from one thread, and closed. `cancel()` is the exception: it is called from
another thread while `execute()` runs and must make the engine stop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa
from sqlglot import exp


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str  # the engine's own type name, e.g. "BIGINT", "timestamp with time zone"
    nullable: bool = True


@dataclass(frozen=True)
class TableInfo:
    schema: str
    name: str
    columns: tuple[ColumnInfo, ...]
    kind: str = "table"  # "table" | "view"
    row_count: int | None = None  # only where the engine knows it cheaply


@dataclass(frozen=True)
class TableRef:
    """A table a statement reads, as written (schema may be None)."""

    name: str
    schema: str | None = None
    catalog: str | None = None
    #: a time-travel pin as written: "version=2" or "timestamp=2024-01-01 10:00:00"
    as_of: str | None = None


@dataclass(frozen=True)
class SourceSettings:
    """How to reach one data source, and the limits for user SQL on it."""

    engine: str  # "duckdb" | "postgres" | "delta"
    path: str = ""  # duckdb file or delta folder
    dsn: str = ""  # postgres
    threads: int = 2
    memory_limit: str = "2GB"
    timeout_s: float = 300.0
    batch_rows: int = 10_000  # rows per Arrow record batch a connector streams
    options: dict[str, str] = field(default_factory=dict)


def tables_from_rows(
    table_rows: Iterable[Sequence[object]], column_rows: Iterable[Sequence[object]]
) -> list[TableInfo]:
    """TableInfos from catalog rows: tables as (schema, name, kind, row_count), columns as
    (schema, table, name, type, is_nullable) in column order."""
    columns: dict[tuple[str, str], list[ColumnInfo]] = defaultdict(list)
    for schema, table, name, data_type, is_nullable in column_rows:
        columns[(str(schema), str(table))].append(
            ColumnInfo(str(name), str(data_type), bool(is_nullable))
        )
    return [
        TableInfo(
            schema=str(schema),
            name=str(name),
            columns=tuple(columns[(str(schema), str(name))]),
            kind=str(kind),
            row_count=row_count if isinstance(row_count, int) else None,
        )
        for schema, name, kind, row_count in table_rows
    ]


class Connector(Protocol):
    #: the sqlglot dialect users write in for this data source
    dialect: str

    def list_tables(self) -> list[TableInfo]:
        """Every table and view user SQL may name, with its columns."""

    def execute(self, statement: exp.Expression) -> pa.RecordBatchReader:
        """Run one already-governed statement and stream its result as Arrow batches.

        Raises ConnectorError subclasses; positions refer to `statement.sql(dialect)`.
        """

    def cancel(self) -> None:
        """Stop the statement `execute` is running (called from another thread)."""

    def table_versions(self, tables: list[TableRef]) -> dict[str, str]:
        """A version string per table (key "schema.name") that changes when its data does."""

    def check(self) -> None:
        """Raise ConnectionFailed (with the engine's reason) if the source is unusable."""

    def close(self) -> None: ...
