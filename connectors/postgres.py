"""PostgreSQL through psycopg 3: read-only sessions, results streamed from a cursor."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pyarrow as pa
from sqlglot import exp

from connectors.base import SourceSettings, TableInfo, TableRef
from connectors.catalog_rows import tables_from_rows
from connectors.errors import (
    ConnectionFailed,
    ConnectorError,
    EngineError,
    QueryCancelled,
    QueryTimeout,
)
from connectors.pg_types import arrow_type, register_loaders, to_array
from connectors.postgres_errors import translate_postgres_error
from connectors.sql.transpile import to_dialect

CONNECT_TIMEOUT_S = 10
_CURSOR = "dw_stream"
_DECLARE = f"DECLARE {_CURSOR} NO SCROLL CURSOR FOR "
_QUERY_CANCELED = "57014"
#: statements PostgreSQL can run behind a cursor; the others (SHOW, EXPLAIN) are small
_STREAMED_NODES = (exp.Query, exp.Values)

_TABLES_SQL = b"""
SELECT n.nspname, c.relname,
       CASE WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'table' END,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
  AND has_table_privilege(c.oid, 'SELECT')
ORDER BY 1, 2
"""

_COLUMNS_SQL = b"""
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
ORDER BY 1, 2, a.attnum
"""

_CONSTRAINTS_SQL = b"""
SELECT n.nspname, c.relname, con.conname,
       CASE con.contype WHEN 'p' THEN 'primary' WHEN 'u' THEN 'unique' ELSE 'foreign' END,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.i),
       rn.nspname, rc.relname,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.i)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
ORDER BY con.oid
"""


class PostgresConnector:
    """One session on `settings.dsn`, read-only by default, named `dashwire`.

    Every statement runs in its own read-only transaction with `statement_timeout` set to
    the source's timeout; the whole stream also stops once that much time has passed.
    """

    dialect = "postgres"

    def __init__(self, settings: SourceSettings) -> None:
        self._dsn = settings.dsn
        self._timeout_s = settings.timeout_s
        self._batch_rows = settings.batch_rows
        # connected on first use: asking for table versions needs no session
        self._session: psycopg.Connection[tuple[object, ...]] | None = None
        self._is_cancelled = False

    @property
    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._session is None:
            self._session = self._connect()
        return self._session

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        options = (
            "-c default_transaction_read_only=on "
            f"-c statement_timeout={int(self._timeout_s * 1000)} "
            "-c TimeZone=UTC -c IntervalStyle=postgres"
        )
        try:
            connection = psycopg.connect(
                self._dsn,
                connect_timeout=CONNECT_TIMEOUT_S,
                application_name="dashwire",
                options=options,
            )
        except psycopg.Error as error:
            raise ConnectionFailed(f"cannot connect: {error}") from error
        register_loaders(connection)
        return connection

    def list_tables(self) -> list[TableInfo]:
        return tables_from_rows(
            self._rows(_TABLES_SQL), self._rows(_COLUMNS_SQL), self._rows(_CONSTRAINTS_SQL)
        )

    def execute(self, statement: exp.Expression, sql: str | None = None) -> pa.RecordBatchReader:
        """Run `statement`; SELECT and VALUES stream `batch_rows` rows at a time."""
        if self._is_cancelled:
            raise QueryCancelled("the query was cancelled")
        if sql is None:
            sql = to_dialect(statement, self.dialect)
        if isinstance(statement, _STREAMED_NODES):
            return self._stream(sql)
        return self._run_whole(sql)

    def cancel(self) -> None:
        self._is_cancelled = True
        if self._session is not None:
            self._session.cancel_safe(timeout=CONNECT_TIMEOUT_S)

    def table_versions(self, tables: list[TableRef]) -> dict[str, str]:
        """PostgreSQL has no cheap data version: "" for every table (callers use a TTL)."""
        return {f"{table.schema or 'public'}.{table.name}": "" for table in tables}

    def check(self) -> None:
        try:
            self._rows(b"SELECT 1")
        except ConnectorError as error:
            raise ConnectionFailed(error.message) from error

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def _stream(self, sql: str) -> pa.RecordBatchReader:
        deadline = time.monotonic() + self._timeout_s
        cursor = self._connection.cursor()
        try:
            cursor.execute((_DECLARE + sql).encode())
            first = self._fetch(cursor)
        except psycopg.Error as error:
            self._end(cursor)
            raise self._translate(error, offset=len(_DECLARE)) from error
        batches = self._batches(cursor, first, deadline)
        return pa.RecordBatchReader.from_batches(first.schema, batches)

    def _batches(
        self, cursor: psycopg.Cursor[tuple[object, ...]], first: pa.RecordBatch, deadline: float
    ) -> Iterator[pa.RecordBatch]:
        try:
            batch = first
            yield batch
            while batch.num_rows == self._batch_rows:
                if time.monotonic() > deadline:
                    raise QueryTimeout(f"the query ran longer than {self._timeout_s:g} s")
                batch = self._fetch(cursor)
                if batch.num_rows:
                    yield batch
        except psycopg.Error as error:
            raise self._translate(error) from error
        finally:
            self._end(cursor)

    def _run_whole(self, sql: str) -> pa.RecordBatchReader:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql.encode())
            batch = _to_batch(cursor, cursor.fetchall())
        except psycopg.Error as error:
            raise self._translate(error) from error
        finally:
            self._end(cursor)
        return pa.RecordBatchReader.from_batches(batch.schema, [batch])

    def _fetch(self, cursor: psycopg.Cursor[tuple[object, ...]]) -> pa.RecordBatch:
        cursor.execute(f"FETCH FORWARD {self._batch_rows} FROM {_CURSOR}".encode())
        return _to_batch(cursor, cursor.fetchall())

    def _end(self, cursor: psycopg.Cursor[tuple[object, ...]]) -> None:
        """Close `cursor` and end the (read-only) transaction, also after a failure."""
        cursor.close()
        if not self._connection.closed:
            self._connection.rollback()

    def _translate(self, error: psycopg.Error, *, offset: int = 0) -> ConnectorError:
        if error.sqlstate == _QUERY_CANCELED:
            if self._is_cancelled:
                return QueryCancelled("the query was cancelled")
            return QueryTimeout(f"the query ran longer than {self._timeout_s:g} s")
        return translate_postgres_error(error, offset=offset)

    def _rows(self, sql: bytes) -> list[tuple[object, ...]]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql)
            return cursor.fetchall()
        except psycopg.Error as error:
            raise self._translate(error) from error
        finally:
            self._end(cursor)


def _to_batch(
    cursor: psycopg.Cursor[tuple[object, ...]], rows: list[tuple[object, ...]]
) -> pa.RecordBatch:
    description = cursor.description or []
    schema = pa.schema(
        [pa.field(c.name, arrow_type(c.type_code, c.precision, c.scale)) for c in description]
    )
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(description)
    arrays = []
    for values, field in zip(columns, schema, strict=True):
        try:
            arrays.append(to_array(values, field.type))
        except pa.ArrowException as error:
            raise EngineError(f"column {field.name}: {error}", sqlstate="22000") from error
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
