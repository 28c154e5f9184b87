"""The connector protocol: what every engine adapter offers, and the plain data it speaks.

A connector is opened for one unit of work (a run, a schema listing, a wire session's
query), used from one thread, and closed. `cancel()` is the exception: it is called from
another thread while `execute()` runs and must make the engine stop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import pyarrow as pa
from sqlglot import exp


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str  # the engine's own type name, e.g. "BIGINT", "timestamp with time zone"
    nullable: bool = True


class ConstraintKind(StrEnum):
    PRIMARY_KEY = "primary"
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign"


@dataclass(frozen=True)
class ConstraintInfo:
    """A primary key, unique or foreign key constraint the engine knows of."""

    name: str
    kind: ConstraintKind
    columns: tuple[str, ...]
    #: foreign keys only: the table they reference, and its columns in the same order
    referenced_schema: str | None = None
    referenced_table: str | None = None
    referenced_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableInfo:
    schema: str
    name: str
    columns: tuple[ColumnInfo, ...]
    kind: str = "table"  # "table" | "view"
    row_count: int | None = None  # only where the engine knows it cheaply
    constraints: tuple[ConstraintInfo, ...] = ()


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


class Connector(Protocol):
    #: the sqlglot dialect users write in for this data source
    dialect: str

    def list_tables(self) -> list[TableInfo]:
        """Every table and view user SQL may name, with its columns."""

    def execute(self, statement: exp.Expression, sql: str | None = None) -> pa.RecordBatchReader:
        """Run one already-governed statement and stream its result as Arrow batches.
        `sql` is `statement` as `to_dialect(statement, self.dialect)` writes it, when the
        caller has it already (a plan's statement_sql): generating it again would cost
        more than a small query takes to run.

        Raises ConnectorError subclasses; positions refer to `statement.sql(dialect)`.
        """

    def cancel(self) -> None:
        """Stop the statement `execute` is running (called from another thread)."""

    def table_versions(self, tables: list[TableRef]) -> dict[str, str]:
        """A version string per table (key "schema.name") that changes when its data does."""

    def check(self) -> None:
        """Raise ConnectionFailed (with the engine's reason) if the source is unusable."""

    def close(self) -> None: ...
