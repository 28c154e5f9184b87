"""DuckDB database files, opened read-only with no way out of the file."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlglot import exp

from connectors import duckdb_files
from connectors.base import SourceSettings, TableInfo, TableRef
from connectors.catalog_rows import tables_from_rows
from connectors.duckdb_errors import translate_duckdb_error
from connectors.duckdb_runner import DuckDBRunner
from connectors.errors import ConnectionFailed
from connectors.sql.transpile import to_dialect

_TABLES_SQL = """
SELECT schema_name, table_name, 'table' AS kind, estimated_size FROM duckdb_tables()
WHERE NOT internal AND database_name = current_database()
UNION ALL
SELECT schema_name, view_name, 'view', NULL FROM duckdb_views()
WHERE NOT internal AND database_name = current_database()
ORDER BY 1, 2
"""

_COLUMNS_SQL = """
SELECT schema_name, table_name, column_name, data_type, is_nullable FROM duckdb_columns()
WHERE NOT internal AND database_name = current_database()
ORDER BY schema_name, table_name, column_index
"""

# DuckDB keeps no constraint names (duckdb_constraints() makes some up), and its foreign keys
# never leave their schema.
_CONSTRAINTS_SQL = """
SELECT schema_name, table_name, NULL,
       CASE constraint_type WHEN 'PRIMARY KEY' THEN 'primary' WHEN 'UNIQUE' THEN 'unique'
            ELSE 'foreign' END,
       constraint_column_names,
       CASE WHEN constraint_type = 'FOREIGN KEY' THEN schema_name END,
       referenced_table, referenced_column_names
FROM duckdb_constraints()
WHERE database_name = current_database()
  AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
ORDER BY table_oid, constraint_index
"""


@functools.lru_cache(maxsize=256)
def _resolved(path: str) -> str:
    """The file's absolute, symlink-free path (one lstat per part: kept, as a connector is
    made for every statement)."""
    return str(Path(path).resolve())


class DuckDBConnector:
    """Read-only access to the DuckDB file `settings.path` (see `duckdb_files`).

    External access (files, URLs, ATTACH, extensions) is off and the configuration is
    locked before any user SQL runs, so no statement can widen what it may reach.
    """

    dialect = "duckdb"

    def __init__(self, settings: SourceSettings) -> None:
        self._settings = settings
        self._path = _resolved(settings.path)
        # opened on first use: asking for table versions only needs the file's state
        self._shared: tuple[duckdb.DuckDBPyConnection, DuckDBRunner] | None = None
        self._is_closed = False

    @property
    def _connection(self) -> duckdb.DuckDBPyConnection:
        return self._open()[0]

    @property
    def _runner(self) -> DuckDBRunner:
        return self._open()[1]

    def _open(self) -> tuple[duckdb.DuckDBPyConnection, DuckDBRunner]:
        if self._shared is None:
            settings = self._settings
            connection = duckdb_files.acquire(
                self._path, threads=settings.threads, memory_limit=settings.memory_limit
            )
            runner = DuckDBRunner(
                connection, timeout_s=settings.timeout_s, batch_rows=settings.batch_rows
            )
            self._shared = (connection, runner)
        return self._shared

    def list_tables(self) -> list[TableInfo]:
        return tables_from_rows(
            self._rows(_TABLES_SQL), self._rows(_COLUMNS_SQL), self._rows(_CONSTRAINTS_SQL)
        )

    def execute(self, statement: exp.Expression, sql: str | None = None) -> pa.RecordBatchReader:
        return self._runner.run(sql if sql is not None else to_dialect(statement, self.dialect))

    def cancel(self) -> None:
        if self._shared is not None:
            self._shared[1].cancel()

    def table_versions(self, tables: list[TableRef]) -> dict[str, str]:
        """The file's state (mtime in ns and size) for every table: any write changes it."""
        try:
            state = os.stat(self._path)
        except OSError as error:
            raise ConnectionFailed(f"cannot open {self._path}: {error.strerror}") from error
        version = f"{state.st_mtime_ns}-{state.st_size}"
        return {f"{table.schema or 'main'}.{table.name}": version for table in tables}

    def check(self) -> None:
        try:
            self._rows("SELECT 1")
        except duckdb.Error as error:
            raise ConnectionFailed(str(error)) from error

    def close(self) -> None:
        """Stop using the file; the shared instance closes with its last connector."""
        if self._is_closed:
            return
        self._is_closed = True
        if self._shared is not None:
            self._shared[1].finish()
            duckdb_files.release(self._path)

    def _rows(self, sql: str) -> list[tuple[object, ...]]:
        cursor = self._connection.cursor()
        try:
            return cursor.execute(sql).fetchall()
        except duckdb.Error as error:
            raise translate_duckdb_error(error, sql) from error
        finally:
            cursor.close()
