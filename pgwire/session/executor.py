"""Running one session's statements: opening portals on the engine (through the backend),
the emulated catalog, the session's own parameters or its temporary tables; describing
them without running them; streaming their rows; cancelling them. No protocol flow here:
the session decides what runs when.

A statement on the catalog or the temporary tables never reaches the data source, yet it
is governed like one: the backend allows and audits it and names its limits, and it runs
cancellable, within the statement timeout and those limits (pgwire.local_duckdb).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa
from cachetools import LRUCache
from sqlglot import exp

from connectors.base import TableInfo
from connectors.deadlines import Deadline, call_after
from connectors.errors import ConnectorError
from pgwire.catalog import CatalogSession
from pgwire.encoding.data_rows import ResultColumns, encode_rows
from pgwire.encoding.parameters import null_literal
from pgwire.encoding.text import TextContext
from pgwire.local_duckdb import Fetch, bounded_fetch
from pgwire.ports import (
    Backend,
    CancelScope,
    CatalogHandle,
    LocalScope,
    Principal,
    SessionState,
)
from pgwire.protocol.errors import PgError, QueryCanceled
from pgwire.session.preparation import Prepared, Route
from pgwire.session.results import OpenResult
from pgwire.session.setting_queries import settings_call_table
from pgwire.session.settings import SessionSettings, milliseconds
from pgwire.session.temp_tables import TempTables, select_into_target
from pgwire.sql.engine_names import needs_engine_names, to_engine_names
from pgwire.sql.naming import declared_types, output_names
from pgwire.sql.parameters import bind
from pgwire.types.arrow import with_declared_types

RowEncoder = Callable[[pa.RecordBatch, ResultColumns, TextContext], Iterator[memoryview]]


_KnownColumns = tuple[pa.Schema, list[str], ResultColumns]
# how many distinct statements a session remembers facts of (BI tools repeat theirs)
STATEMENTS_KEPT = 256


class Sink(Protocol):
    bytes_written: int

    def write(self, data: bytes | memoryview) -> None:
        """Queue bytes for the client; may block while the client is slow. Raises
        ClientGone when the client went away."""

    def flush(self) -> None:
        """Send everything queued."""


@dataclass
class Portal:
    """A bound statement (protocol portal or DECLAREd cursor) and its open result."""

    prepared: Prepared
    formats: tuple[int, ...]
    literals: list[exp.Expression]
    result: OpenResult | None = None
    columns: ResultColumns | None = None
    is_holdable: bool = False
    tag: str | None = None  # set when the statement's command tag is not "SELECT n"
    opened_at: float | None = None  # time.perf_counter() when its statement started
    # what fixes `literals` (the Bind message's values and formats), None: the literals
    values: tuple[object, ...] | None = ()

    def close(self) -> None:
        if self.result is not None:
            self.result.close()


@dataclass
class Identity:
    """Who runs the statements, where, as which session."""

    principal: Principal
    database: str
    handle: CatalogHandle
    session_id: int


class Executor:
    def __init__(self, backend: Backend, sink: Sink, settings: SessionSettings) -> None:
        self.backend = backend
        self.sink = sink
        self.settings = settings
        self.identity: Identity | None = None
        self.temp_tables = TempTables()
        self._catalog: CatalogSession | None = None
        self._catalog_settings: dict[str, str] = {}
        self._scope_lock = threading.Lock()
        self._scope: CancelScope | None = None
        # a session's recent statements, as a BI tool repeats them: engine SQL with
        # parameters bound, and PostgreSQL's names and types of their result columns
        self._bound_sql: LRUCache[tuple[str, tuple[object, ...]], str] = LRUCache(STATEMENTS_KEPT)
        self._result_names: LRUCache[str, _ResultNames] = LRUCache(STATEMENTS_KEPT)
        self._columns: LRUCache[tuple[str, tuple[int, ...]], _KnownColumns] = LRUCache(
            STATEMENTS_KEPT
        )
        self._derived_values: _Derived | None = None

    def tables(self) -> list[TableInfo]:
        return self.identity.handle.tables if self.identity is not None else []

    def _who(self) -> Identity:
        assert self.identity is not None, "statements run only after authentication"
        return self.identity

    # -- results ------------------------------------------------------------------------

    def open(self, portal: Portal) -> OpenResult:
        """The portal's result, starting the statement on first use."""
        if portal.result is None:
            portal.opened_at = time.perf_counter()
            portal.result = _OPENERS[portal.prepared.route](self, portal)
        return portal.result

    def columns(self, portal: Portal, result: OpenResult) -> ResultColumns:
        if portal.columns is None:
            key = (portal.prepared.sql, portal.formats)
            known = self._columns.get(key)
            if (
                known is None
                or known[1] != result.names
                or not known[0].equals(result.schema, check_metadata=True)
            ):
                known = (result.schema, result.names, result.columns(portal.formats))
                self._columns[key] = known
            portal.columns = known[2]
        return portal.columns

    def send_rows(
        self,
        result: OpenResult,
        columns: ResultColumns,
        max_rows: int | None,
        encode: RowEncoder = encode_rows,
    ) -> int:
        """Stream up to `max_rows` rows (all when None) as DataRows (or what `encode`
        makes of them); returns how many."""
        context = self._derived().text_context
        sent = 0
        with _StatementScope(self) as scope:
            try:
                for batch in result.take(max_rows):
                    for chunk in encode(batch, columns, context):
                        self.sink.write(chunk)
                    sent += batch.num_rows
            except (ConnectorError, pa.ArrowException) as error:
                if scope.is_cancelled:
                    raise QueryCanceled(scope.reason) from error
                raise
        return sent

    def _engine_sql(self, portal: Portal) -> str:
        """The statement for the engine: the client's text, or — with parameters bound or
        temporary tables inlined — the tree regenerated; remembered per text and values
        unless temporary tables were inlined (the text then depends on their rows)."""
        prepared = portal.prepared
        if prepared.expression is None:
            return prepared.sql
        statement = self.temp_tables.inline(prepared.expression)
        if statement is not prepared.expression:
            return self._generated_sql(prepared, statement, portal.literals)
        values = portal.values
        if values is None:
            values = tuple(literal.sql(dialect="postgres") for literal in portal.literals)
        key = (prepared.sql, values)
        sql = self._bound_sql.get(key)
        if sql is None:
            sql = self._generated_sql(prepared, statement, portal.literals)
            self._bound_sql[key] = sql
        return sql

    def _generated_sql(
        self, prepared: Prepared, statement: exp.Expression, literals: list[exp.Expression]
    ) -> str:
        who = self._who()
        is_renamed = needs_engine_names(statement, who.database, who.handle.dialect)
        if not literals and not is_renamed and statement is prepared.expression:
            return prepared.sql
        if is_renamed:
            statement = to_engine_names(statement, who.database, who.handle.dialect)
        if literals:
            statement = bind(statement, literals)
        return statement.sql(dialect="postgres")

    def _bound(self, portal: Portal) -> exp.Expression:
        assert portal.prepared.expression is not None
        if not portal.literals:
            return portal.prepared.expression.copy()
        return bind(portal.prepared.expression, portal.literals)

    def _open_engine(self, portal: Portal) -> OpenResult:
        prepared = portal.prepared
        if prepared.expression is not None and self.temp_tables.touches(prepared.expression):
            return self._open_temp_tables(portal)
        sql = self._engine_sql(portal)
        who = self._who()
        with _StatementScope(self) as scope:
            try:
                result = self.backend.run(
                    who.principal, who.database, sql, session=self.state(), cancel=scope
                )
            except ConnectorError as error:
                if scope.is_cancelled:
                    raise QueryCanceled(scope.reason) from error
                raise
        schema, names = self._pg_schema(prepared, result.reader.schema)
        opened = OpenResult.from_reader(result.reader, schema, names, result.close)
        opened.is_cached = result.is_cached
        return opened

    def _pg_schema(self, prepared: Prepared, schema: pa.Schema) -> tuple[pa.Schema, list[str]]:
        """The engine's result schema as PostgreSQL would describe it: column names by
        PostgreSQL's rules and types named by top-level casts."""
        if prepared.expression is None:
            return schema, schema.names
        known = self._result_names.get(prepared.sql)
        if known is None or not known.engine_schema.equals(schema, check_metadata=True):
            declared = declared_types(prepared.expression, len(schema))
            known = _ResultNames(
                schema,
                with_declared_types(schema, declared),
                output_names(prepared.expression, schema.names),
            )
            self._result_names[prepared.sql] = known
        return known.schema, known.names

    def _open_temp_tables(self, portal: Portal) -> OpenResult:
        """A statement on the session's temporary tables, or `SELECT … INTO` one."""
        statement = self._bound(portal)
        target = select_into_target(statement)
        if target is None:
            with self._local(self._audited_sql(portal), LocalScope.TEMP_TABLES) as fetch:
                rows, portal.tag = self.temp_tables.execute(statement, fetch)
            return OpenResult.from_table(rows) if rows is not None else OpenResult.empty()
        statement.set("into", None)
        if self.temp_tables.touches(statement):
            with self._local(self._audited_sql(portal), LocalScope.TEMP_TABLES) as fetch:
                rows, _ = self.temp_tables.execute(statement, fetch)
            assert rows is not None
        else:
            query = Prepared(statement.sql(dialect="postgres"), Route.ENGINE, expression=statement)
            rows = self._open_engine(Portal(query, (), [])).read_all()
        self.temp_tables.create_from(target, rows)
        portal.tag = f"SELECT {rows.num_rows}"
        return OpenResult.empty()

    def _open_catalog(self, portal: Portal) -> OpenResult:
        statement = self._bound(portal)
        with self._local(self._audited_sql(portal), LocalScope.CATALOG) as fetch:
            return OpenResult.from_table(self._catalog_session().execute(statement, fetch))

    @contextmanager
    def _local(self, sql: str, scope: LocalScope) -> Iterator[Fetch]:
        """Run a statement on the session's own DuckDB (`scope`) as the backend allows it
        (and audits `sql`): the Fetch it gets is cancellable and bounded by the plan's
        rows and bytes, with the plan's timeout (the session's statement_timeout when
        shorter)."""
        who = self._who()
        plan = self.backend.plan_local(who.principal, who.database, sql, scope=scope)
        with _StatementScope(self, limit_s=plan.timeout_s) as cancel:
            try:
                yield bounded_fetch(plan, cancel)
            except (ConnectorError, PgError) as error:
                if cancel.is_cancelled:
                    raise QueryCanceled(cancel.reason) from error
                raise

    def _audited_sql(self, portal: Portal) -> str:
        """The statement as audited: the client's text, its parameters bound."""
        if not portal.literals:
            return portal.prepared.sql
        return self._bound(portal).sql(dialect="postgres")

    def _open_settings(self, portal: Portal) -> OpenResult:
        expression = self._bound(portal)
        assert isinstance(expression, exp.Select)
        names = output_names(expression, [f"c{i}" for i in range(len(expression.expressions))])
        return OpenResult.from_table(settings_call_table(self.settings, expression, names))

    def _catalog_session(self) -> CatalogSession:
        """The session's catalog, built on first use and rebuilt after the parameters it
        reads (search_path, TimeZone, …) changed, since it keeps its own copy of them."""
        who = self._who()
        settings = self.settings.all_values()
        settings["pg_backend_pid"] = str(who.session_id)
        if self._catalog is not None and settings != self._catalog_settings:
            self._catalog.close()
            self._catalog = None
        if self._catalog is None:
            handle = who.handle
            self._catalog = CatalogSession(
                who.database, who.principal.username, handle.databases, handle.tables, settings
            )
            self._catalog_settings = settings
        return self._catalog

    def state(self) -> SessionState:
        return self._derived().state

    def _derived(self) -> _Derived:
        """What statements read of the session's parameters, rebuilt when one changed."""
        derived = self._derived_values
        if derived is None or derived.version != self.settings.version:
            derived = self._derived_values = _Derived(
                version=self.settings.version,
                state=SessionState(
                    session_id=self._who().session_id,
                    application_name=self.settings.get("application_name"),
                    time_zone=self.settings.get("TimeZone"),
                    statement_timeout_s=milliseconds(self.settings.get("statement_timeout")) / 1000,
                    settings=self.settings.all_values(),
                ),
                text_context=TextContext(
                    time_zone=self.settings.get("TimeZone"),
                    extra_float_digits=int(self.settings.get("extra_float_digits")),
                ),
                statement_timeout_ms=milliseconds(self.settings.get("statement_timeout")),
            )
        return derived

    # -- describing -----------------------------------------------------------------------

    def describe_statement(self, prepared: Prepared) -> ResultColumns | None:
        """Row description of a prepared query (all text) without running it: the
        engine plans it with NULL parameters; None when it returns no rows."""
        if prepared.route == Route.EMPTY:
            return None
        if prepared.expression is not None and self.temp_tables.touches(prepared.expression):
            return self._describe_temp_tables(prepared)
        if prepared.schema is None:
            probe = Portal(prepared, (), _null_literals(prepared), values=None)
            if prepared.route == Route.ENGINE:
                prepared.schema, prepared.names = self._engine_schema(probe)
            else:
                result = self.open(probe)
                prepared.schema, prepared.names = result.schema, result.names
                result.close()
        assert prepared.names is not None
        return OpenResult(prepared.schema, prepared.names, iter(())).columns(())

    def _describe_temp_tables(self, prepared: Prepared) -> ResultColumns | None:
        """Only a plain SELECT on temporary tables has rows; describing must not run DDL."""
        statement = prepared.expression
        if not isinstance(statement, exp.Select) or select_into_target(statement) is not None:
            return None
        probe = bind(statement, _null_literals(prepared))
        assert isinstance(probe, exp.Select)
        with self._local(prepared.sql, LocalScope.TEMP_TABLES) as fetch:
            rows, _ = self.temp_tables.execute(probe.limit(0), fetch)
        assert rows is not None
        return OpenResult.from_table(rows).columns(())

    def _engine_schema(self, portal: Portal) -> tuple[pa.Schema, list[str]]:
        who = self._who()
        sql = self._engine_sql(portal)
        schema = self.backend.describe(who.principal, who.database, sql, session=self.state())
        return self._pg_schema(portal.prepared, schema)

    def describe_portal(self, portal: Portal) -> ResultColumns | None:
        """Row description of a bound query in its result formats (starting it)."""
        if portal.prepared.route == Route.EMPTY:
            return None
        result = self.open(portal)
        return self.columns(portal, result) if result.schema else None

    # -- cancelling and closing -------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the running statement, if any (called from another thread)."""
        with self._scope_lock:
            scope = self._scope
        if scope is not None:
            scope.cancel()

    def close(self) -> None:
        self.cancel()
        self.temp_tables.drop_all()
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None


class _StatementScope:
    """The cancel scope of the statement running now, with the statement timeout armed —
    or `limit_s` when that is shorter (a data source's timeout, 0: none). Nested use
    (open, then stream) shares the outer scope."""

    def __init__(self, executor: Executor, *, limit_s: float = 0.0) -> None:
        self._executor = executor
        self._limit_s = limit_s
        self._timer: Deadline | None = None
        self._scope = CancelScope()
        self._outer: CancelScope | None = None

    def __enter__(self) -> CancelScope:
        executor = self._executor
        with executor._scope_lock:
            self._outer = executor._scope
            if self._outer is not None:
                self._scope = self._outer
            executor._scope = self._scope
        timeouts_s = [executor._derived().statement_timeout_ms / 1000, self._limit_s]
        timeout_s = min((seconds for seconds in timeouts_s if seconds > 0), default=0.0)
        if timeout_s and self._outer is None:
            scope = self._scope
            self._timer = call_after(
                timeout_s, lambda: scope.cancel("canceling statement due to statement timeout")
            )
        return self._scope

    def __exit__(self, *exc_info: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._executor._scope_lock:
            self._executor._scope = self._outer


@dataclass(frozen=True)
class _Derived:
    version: int
    state: SessionState
    text_context: TextContext
    statement_timeout_ms: int


@dataclass(frozen=True)
class _ResultNames:
    engine_schema: pa.Schema
    schema: pa.Schema  # with the types top-level casts declare
    names: list[str]


def _null_literals(prepared: Prepared) -> list[exp.Expression]:
    return [null_literal(pg_type) for pg_type in prepared.param_types]


_OPENERS = {
    Route.ENGINE: Executor._open_engine,
    Route.CATALOG: Executor._open_catalog,
    Route.SETTINGS: Executor._open_settings,
}
