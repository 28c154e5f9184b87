"""A wire session's own in-memory DuckDB databases — its emulated catalog and its
temporary tables — and how a client's statement runs on them.

They hold no data source rows, but a client's SQL runs there all the same, table functions
included (`range(300000000)`), so they are as bounded as the engines: opened locked down
(no files, one thread, `MEMORY_LIMIT`, nothing spilled to disk), and a statement runs
interruptibly (its cancel scope interrupts the connection: CancelRequest, statement
timeout, client gone) and stops at the plan's rows and bytes, its result read in batches.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pyarrow as pa

from connectors.errors import LimitExceeded, QueryCancelled
from pgwire.ports import CancelScope, LocalPlan

MEMORY_LIMIT = "256MB"
#: however generous the data source's limits, a catalog answer or a filter table is small:
#: a local result stops here (it is held whole before it is sent)
MAX_RESULT_BYTES = 64 * 1024 * 1024
BATCH_ROWS = 2048

# SQLSTATE for each kind of DuckDB error a statement on a local database can raise.
DUCKDB_SQLSTATES: dict[type[duckdb.Error], str] = {
    duckdb.ParserException: "42601",
    duckdb.CatalogException: "42P01",
    duckdb.BinderException: "42703",
    duckdb.ConversionException: "22P02",
    duckdb.OutOfRangeException: "22003",
    duckdb.InvalidInputException: "22023",
    duckdb.NotImplementedException: "0A000",
    duckdb.OutOfMemoryException: "53200",
    duckdb.InterruptException: "57014",
}

#: runs one statement's SQL on a local connection: its rows, None for a command
Fetch = Callable[[duckdb.DuckDBPyConnection, str], pa.Table | None]


def sqlstate_of(error: duckdb.Error) -> str:
    return next(
        (state for kind, state in DUCKDB_SQLSTATES.items() if isinstance(error, kind)), "XX000"
    )


def connect_local() -> duckdb.DuckDBPyConnection:
    """A new private in-memory database; call `lock` once the app has set it up."""
    return duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "threads": 1,
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": "",  # an in-memory database never spills to disk
        },
    )


def lock(connection: duckdb.DuckDBPyConnection) -> None:
    """Freeze the configuration, so a client's statement cannot lift a bound."""
    connection.execute("SET lock_configuration = true")


def fetch_all(connection: duckdb.DuckDBPyConnection, sql: str) -> pa.Table | None:
    """Every row, unbounded: for the app's own statements."""
    relation = connection.sql(sql)
    return relation.to_arrow_table() if relation is not None else None


def bounded_fetch(plan: LocalPlan, scope: CancelScope) -> Fetch:
    """A Fetch for one client statement: interrupted when `scope` is cancelled, stopped
    with LimitExceeded (54000) past the plan's rows or bytes (or MAX_RESULT_BYTES)."""

    def fetch(connection: duckdb.DuckDBPyConnection, sql: str) -> pa.Table | None:
        if scope.is_cancelled:
            raise QueryCancelled(scope.reason)
        scope.on_cancel(connection.interrupt)
        relation = connection.sql(sql)  # a command runs here, a query when read
        if relation is None:
            return None
        reader = relation.to_arrow_reader(BATCH_ROWS)
        try:
            batches = _read_bounded(reader, plan)
        finally:
            reader.close()
        return pa.Table.from_batches(batches, schema=reader.schema)

    return fetch


def _read_bounded(reader: pa.RecordBatchReader, plan: LocalPlan) -> list[pa.RecordBatch]:
    batches = []
    rows = size_bytes = 0
    max_bytes = min(plan.max_bytes, MAX_RESULT_BYTES)
    for batch in reader:
        rows += batch.num_rows
        size_bytes += batch.nbytes
        if rows > plan.max_rows:
            raise LimitExceeded(
                f"the result has more than {plan.max_rows:,} rows, the max_rows limit of "
                f"data source {plan.datasource}; add a LIMIT or aggregate"
            )
        if size_bytes > max_bytes:
            raise LimitExceeded(
                f"the result is larger than {max_bytes:,} bytes, the most a session's "
                "catalog or temporary tables answer; select fewer columns or rows"
            )
        batches.append(batch)
    return batches
