"""Delta Lake tables in a folder, read with delta-rs and queried in DuckDB.

User SQL is Databricks SQL. Each table a statement names is loaded with `deltalake`
(at its pinned version for `VERSION AS OF` / `TIMESTAMP AS OF`), registered in an
in-memory DuckDB as its Arrow dataset (so projections and filters are pushed into the
scan), the table reference rewritten to it, and the statement run as DuckDB SQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
from deltalake import DeltaTable
from deltalake.exceptions import DeltaError
from sqlglot import exp

from connectors.base import SourceSettings, TableInfo, TableRef
from connectors.delta_catalog import (
    DEFAULT_SCHEMA,
    DeltaLocation,
    columns_of,
    discover_tables,
    history_table,
)
from connectors.duckdb_runner import LOCKED_CONFIG, DuckDBRunner, lock_down
from connectors.errors import ConnectionFailed, ConnectorError, EngineError, UndefinedObject
from connectors.sql.positions import map_position
from connectors.sql.tables import time_travel_pin
from connectors.sql.transpile import to_dialect

_ENGINE_DIALECT = "duckdb"


class DeltaConnector:
    """The Delta tables under the folder `settings.path` (see `discover_tables`)."""

    dialect = "databricks"

    def __init__(self, settings: SourceSettings) -> None:
        self._root = Path(settings.path)
        if not self._root.is_dir():
            raise ConnectionFailed(f"{settings.path} is not a folder")
        config: dict[str, str | bool | int | float | list[str]] = {
            **LOCKED_CONFIG,
            "threads": settings.threads,
            "memory_limit": settings.memory_limit,
        }
        connection = duckdb.connect(":memory:", config=config)
        lock_down(connection)
        self._runner = DuckDBRunner(
            connection, timeout_s=settings.timeout_s, batch_rows=settings.batch_rows
        )
        self._batch_rows = settings.batch_rows

    def list_tables(self) -> list[TableInfo]:
        return [
            TableInfo(
                schema=location.schema,
                name=location.name,
                columns=columns_of(DeltaTable(str(location.path))),
            )
            for location in discover_tables(self._root).values()
        ]

    def execute(self, statement: exp.Expression, sql: str | None = None) -> pa.RecordBatchReader:
        """Run `statement`; `DESCRIBE HISTORY t` answers from the Delta log.

        Raises UndefinedObject for a table the folder does not hold or a version it never
        had, and ConnectorError subclasses from DuckDB with positions in
        `statement.sql("databricks")` (mapped back on a best-effort basis).
        """
        if isinstance(statement, exp.Describe) and statement.args.get("style") == "HISTORY":
            return self._history(statement)
        user_sql = sql if sql is not None else statement.sql(dialect=self.dialect)
        rewritten, sources = self._bind_tables(statement, user_sql)
        engine_sql = to_dialect(rewritten, _ENGINE_DIALECT)
        try:
            return self._runner.run(engine_sql, sources)
        except ConnectorError as error:
            if error.position is None:
                raise
            position = map_position(engine_sql, error.position, user_sql)
            raise error.with_position(position) from error

    def cancel(self) -> None:
        self._runner.cancel()

    def table_versions(self, tables: list[TableRef]) -> dict[str, str]:
        """The Delta version each table is read at: its latest, or its pin.

        Keys are "schema.name", or "schema.name@<pin>" for a pinned reference.
        """
        versions: dict[str, str] = {}
        for ref in tables:
            key = f"{ref.schema or DEFAULT_SCHEMA}.{ref.name}"
            if ref.as_of:
                key = f"{key}@{ref.as_of}"
            table = self._load(self._locate(ref.schema, ref.name), ref.as_of)
            versions[key] = str(table.version())
        return versions

    def check(self) -> None:
        if not self._root.is_dir():
            raise ConnectionFailed(f"{self._root} is not a folder")

    def close(self) -> None:
        self._runner.close()

    def _history(self, statement: exp.Describe) -> pa.RecordBatchReader:
        target = statement.this
        if not isinstance(target, exp.Table):
            raise EngineError("DESCRIBE HISTORY needs a table", sqlstate="42601")
        table = self._load(self._locate(target.db or None, target.name), None)
        history = history_table(table)
        return pa.RecordBatchReader.from_batches(
            history.schema, history.to_batches(max_chunksize=self._batch_rows)
        )

    def _bind_tables(
        self, statement: exp.Expression, user_sql: str
    ) -> tuple[exp.Expression, dict[str, object]]:
        """A copy of `statement` naming registered datasets, and those datasets by name."""
        rewritten = statement.copy()
        cte_names = {cte.alias_or_name.lower() for cte in rewritten.find_all(exp.CTE)}
        sources: dict[str, object] = {}
        for table in list(rewritten.find_all(exp.Table)):
            if not isinstance(table.this, exp.Identifier):
                continue
            if not table.db and table.name.lower() in cte_names:
                continue
            try:
                location = self._locate(table.db or None, table.name)
            except UndefinedObject as error:
                raise error.with_position(map_position(table.name, 1, user_sql)) from error
            pin = time_travel_pin(table)
            name = _registered_name(location, pin)
            if name not in sources:
                sources[name] = self._load(location, pin).to_pyarrow_dataset()
            # keep the name users qualify columns with (`t.id`); DESCRIBE takes no alias
            alias = None if isinstance(table.parent, exp.Describe) else table.alias or table.name
            table.replace(exp.table_(name, quoted=True, alias=alias))
        return rewritten, sources

    def _locate(self, schema: str | None, name: str) -> DeltaLocation:
        key = ((schema or DEFAULT_SCHEMA).lower(), name.lower())
        location = discover_tables(self._root).get(key)
        if location is None:
            raise UndefinedObject(f"table {key[0]}.{key[1]} does not exist")
        return location

    def _load(self, location: DeltaLocation, pin: str | None) -> DeltaTable:
        """The table at `pin` ("version=2", "timestamp=…") or at its latest version."""
        kind, _, value = (pin or "").partition("=")
        try:
            table = DeltaTable(str(location.path))
            if kind == "version":
                # delta-rs searches the log for a version past the latest one without end
                version, latest = int(value), table.version()
                if not 0 <= version <= latest:
                    raise UndefinedObject(
                        f"table {location.schema}.{location.name} has no version {version}; "
                        f"its latest is {latest}"
                    )
                if version != latest:
                    table.load_as_version(version)
            elif kind == "timestamp":
                table.load_as_version(_as_utc(value))
            return table
        except (DeltaError, ValueError, OSError) as error:
            raise UndefinedObject(
                f"table {location.schema}.{location.name} at {pin or 'latest'}: {error}"
            ) from error


def _registered_name(location: DeltaLocation, pin: str | None) -> str:
    suffix = "".join(c if c.isalnum() else "_" for c in pin) if pin else "latest"
    return f"{location.schema}.{location.name}@{suffix}"


def _as_utc(text: str) -> dt.datetime:
    """A TIMESTAMP AS OF literal; without a zone it is UTC, as on Databricks by default."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
