"""One client session as a state machine: startup and authentication, then the simple and
extended query protocols with PostgreSQL's error-recovery and transaction rules. No I/O:
messages come in through `start()`/`handle()`, bytes go out through a `Sink`, engines are
reached through the `Backend`.

`handle()` is called from a worker thread; a statement blocks that thread while it runs
and while the sink applies back-pressure. `cancel()` may come from any thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import pyarrow as pa
from sqlglot import exp

from connectors.errors import ConnectorError
from pgwire import replies
from pgwire.answers import settings_call_table, show_table
from pgwire.auth import MECHANISM, ScramExchange, parse_password, parse_sasl_initial_response
from pgwire.catalog import CatalogSession
from pgwire.codec import (
    PROTOCOL_3_0,
    AuthData,
    Bind,
    Close,
    CopyData,
    CopyDone,
    CopyFail,
    Describe,
    Execute,
    Flush,
    FunctionCall,
    Message,
    Parse,
    Query,
    StartupMessage,
    Sync,
    Terminate,
)
from pgwire.commands import (
    Begin,
    CloseCursor,
    Command,
    Commit,
    Deallocate,
    DeclareCursor,
    Discard,
    FetchCursor,
    NoOp,
    Release,
    ResetParameter,
    Rollback,
    RollbackTo,
    Savepoint,
    SetParameter,
    ShowParameter,
)
from pgwire.datarows import ResultColumns, encode_rows
from pgwire.errors import (
    AuthenticationFailed,
    AuthorizationRefused,
    ClientGone,
    DuplicateCursor,
    DuplicateStatement,
    FatalError,
    FeatureNotSupported,
    InFailedTransaction,
    InvalidCursorName,
    InvalidStatementName,
    NoActiveTransaction,
    PgError,
    ProtocolViolation,
    QueryCanceled,
    SyntaxError_,
    error_fields,
    is_fatal,
)
from pgwire.naming import declared_types, output_names
from pgwire.params import bind, decode_parameters, null_literal
from pgwire.ports import Backend, CancelScope, CatalogHandle, Principal, SessionState
from pgwire.replies import TransactionStatus
from pgwire.results import OpenResult
from pgwire.settings import SessionSettings
from pgwire.sqltext import first_word, split_statements
from pgwire.statements import Prepared, Route, prepare
from pgwire.text_format import TextContext
from pgwire.types import with_declared_types

logger = logging.getLogger(__name__)

_ROW_TAGS = {"select": "SELECT", "with": "SELECT", "values": "SELECT", "table": "SELECT"}
_ALLOWED_WHEN_FAILED = (Rollback, RollbackTo, Commit)


class Sink(Protocol):
    def write(self, data: bytes | memoryview) -> None:
        """Queue bytes for the client; may block while the client is slow. Raises
        ClientGone when the client went away."""

    def flush(self) -> None:
        """Send everything queued."""


class Phase(StrEnum):
    STARTUP = "startup"
    SASL_FIRST = "sasl-first"
    SASL_FINAL = "sasl-final"
    PASSWORD = "password"
    READY = "ready"


@dataclass
class Portal:
    prepared: Prepared
    formats: tuple[int, ...]
    literals: list[exp.Expression]
    result: OpenResult | None = None
    columns: ResultColumns | None = None
    is_holdable: bool = False


@dataclass
class SessionConfig:
    process_id: int
    secret_key: bytes
    is_tls: bool
    mock_secret: bytes
    on_authenticated: Callable[[], None] = field(default=lambda: None)


class Session:
    def __init__(self, backend: Backend, sink: Sink, config: SessionConfig) -> None:
        self.backend = backend
        self.sink = sink
        self.config = config
        self.settings = SessionSettings()
        self.phase = Phase.STARTUP
        self.status = TransactionStatus.IDLE
        self.principal: Principal | None = None
        self.database = ""
        self.username = ""
        self._handle: CatalogHandle | None = None
        self._catalog: CatalogSession | None = None
        self._scram: ScramExchange | None = None
        self._statements: dict[str, Prepared] = {}
        # protocol portals and DECLAREd cursors share one namespace, as in PostgreSQL
        self._portals: dict[str, Portal] = {}
        self._savepoints: list[str] = []
        self._is_skipping = False
        self._scope_lock = threading.Lock()
        self._scope: CancelScope | None = None

    # -- startup and authentication ----------------------------------------------------

    def start(self, startup: StartupMessage) -> bool:
        """Answer the StartupMessage; False when the connection must close."""
        return self._guard(lambda: self._start(startup), is_startup=True)

    def _start(self, startup: StartupMessage) -> None:
        parameters = startup.parameters
        self.username = parameters.get("user", "")
        if not self.username:
            raise AuthorizationRefused("no PostgreSQL user name specified in startup packet")
        self.database = parameters.get("database") or self.username
        unknown = [name for name in parameters if name.startswith("_pq_.")]
        if startup.protocol != PROTOCOL_3_0 or unknown:
            self.sink.write(replies.negotiate_protocol_version(0, unknown))
        self._apply_startup_settings(parameters)
        self._request_authentication()
        self.sink.flush()

    def _apply_startup_settings(self, parameters: dict[str, str]) -> None:
        try:
            for name, value in parameters.items():
                if name in ("user", "database", "options", "replication") or name.startswith(
                    "_pq_."
                ):
                    continue
                if self.settings.display_name(name) != name.lower() or "." in name:
                    self.settings.set(name, value, is_startup=True)
            for name, value in _options(parameters.get("options", "")):
                self.settings.set(name, value, is_startup=True)
            self.settings.set("session_authorization", self.username, is_startup=True)
        except PgError as error:
            raise FatalError(error.message, sqlstate=error.sqlstate) from error
        self.settings.remember_startup_values()

    def _request_authentication(self) -> None:
        verifiers = self.backend.scram_verifiers(self.username)
        if self.username == "token" and not verifiers and not self.config.is_tls:
            raise AuthorizationRefused(
                "a token login needs TLS (sslmode=require): tokens are sent as passwords"
            )
        if not verifiers and self.config.is_tls:
            self.phase = Phase.PASSWORD
            self.sink.write(replies.authentication_cleartext())
            return
        self._scram = ScramExchange(self.username, verifiers, self.config.mock_secret)
        self.phase = Phase.SASL_FIRST
        self.sink.write(replies.authentication_sasl([MECHANISM]))

    def _authenticate(self, message: Message) -> None:
        if not isinstance(message, AuthData):
            raise ProtocolViolation("expected an authentication response")
        if self.phase == Phase.PASSWORD:
            principal = self.backend.check_password(self.username, parse_password(message.payload))
            if principal is None:
                raise AuthenticationFailed(
                    f'password authentication failed for user "{self.username}"'
                )
            self._authenticated(principal)
            return
        assert self._scram is not None
        if self.phase == Phase.SASL_FIRST:
            mechanism, client_first = parse_sasl_initial_response(message.payload)
            if mechanism != MECHANISM:
                raise ProtocolViolation("client selected an invalid SASL authentication mechanism")
            self.sink.write(
                replies.authentication_sasl_continue(self._scram.server_first(client_first))
            )
            self.phase = Phase.SASL_FINAL
            self.sink.flush()
            return
        principal, server_final = self._scram.server_final(message.payload)
        self.sink.write(replies.authentication_sasl_final(server_final))
        self._authenticated(principal)

    def _authenticated(self, principal: Principal) -> None:
        self.sink.write(replies.authentication_ok())
        self._handle = self.backend.open_catalog(
            principal, self.database, session_id=self.config.process_id
        )
        self.principal = principal
        for name, value in self.settings.reported():
            self.sink.write(replies.parameter_status(name, value))
        self.sink.write(replies.backend_key_data(self.config.process_id, self.config.secret_key))
        self.phase = Phase.READY
        self.config.on_authenticated()
        self._ready()

    # -- message dispatch -----------------------------------------------------------------

    def handle(self, message: Message) -> bool:
        """Process one message; False when the connection must close."""
        if isinstance(message, Terminate):
            return False
        if self.phase != Phase.READY:
            return self._guard(lambda: self._authenticate(message), is_startup=True)
        if self._is_skipping and not isinstance(message, Sync):
            return True
        handler = _HANDLERS.get(type(message))
        if handler is None:
            return self._guard(lambda: self._unsupported(message), is_startup=False)
        return self._guard(lambda: handler(self, message), is_startup=False)

    def _guard(self, action: Callable[[], None], *, is_startup: bool) -> bool:
        """Run `action`, reporting any error to the client; the one place errors become
        ErrorResponse messages. False when the connection must close."""
        try:
            action()
        except ClientGone:
            return False
        except Exception as error:
            self.sink.write(replies.error_response(error_fields(error)))
            if is_fatal(error) or is_startup:
                self.sink.flush()
                return False
            self._enter_error_state()
            self.sink.flush()
        return True

    def _enter_error_state(self) -> None:
        self._is_skipping = True
        if self.status == TransactionStatus.IN_BLOCK:
            self.status = TransactionStatus.FAILED

    def _unsupported(self, message: Message) -> None:
        if isinstance(message, (CopyData, CopyDone, CopyFail)):
            return
        if isinstance(message, FunctionCall):
            raise FeatureNotSupported("the fast-path function call interface is not supported")
        raise ProtocolViolation(f"unexpected message {type(message).__name__}")

    def _ready(self) -> None:
        for name, value in self.settings.drain_changes():
            self.sink.write(replies.parameter_status(name, value))
        self.sink.write(replies.ready_for_query(self.status))
        self.sink.flush()

    # -- simple query -----------------------------------------------------------------------

    def _on_query(self, message: Query) -> None:
        statements = [statement for statement in split_statements(message.sql) if statement.text]
        if not statements:
            self.sink.write(replies.EMPTY_QUERY_RESPONSE)
        for statement in statements:
            try:
                prepared = prepare(statement.text, (), self._tables())
                self._check_not_failed(prepared)
                portal = Portal(prepared, (), [])
                self._execute(portal, max_rows=0, send_description=True)
                self._close_portal(portal)
            except ClientGone:
                raise
            except Exception as error:
                self.sink.write(
                    replies.error_response(_shifted(error_fields(error), statement.offset))
                )
                if is_fatal(error):
                    raise
                if self.status == TransactionStatus.IN_BLOCK:
                    self.status = TransactionStatus.FAILED
                break
        self._end_implicit_transaction()
        self._ready()

    # -- extended query ---------------------------------------------------------------------

    def _on_parse(self, message: Parse) -> None:
        if message.name and message.name in self._statements:
            raise DuplicateStatement(f'prepared statement "{message.name}" already exists')
        if len([s for s in split_statements(message.sql) if s.text]) > 1:
            raise SyntaxError_("cannot insert multiple commands into a prepared statement")
        prepared = prepare(message.sql, message.param_oids, self._tables())
        self._check_not_failed(prepared)
        self._statements[message.name] = prepared
        self.sink.write(replies.PARSE_COMPLETE)

    def _on_bind(self, message: Bind) -> None:
        prepared = self._statement(message.statement)
        self._check_not_failed(prepared)
        if message.portal and message.portal in self._portals:
            raise DuplicateCursor(f'portal "{message.portal}" already exists')
        if prepared.param_types and len(message.params) != len(prepared.param_types):
            raise ProtocolViolation(
                f"bind message supplies {len(message.params)} parameters, but prepared "
                f'statement "{message.statement}" requires {len(prepared.param_types)}'
            )
        literals = decode_parameters(message.params, message.param_formats, prepared.param_types)
        old = self._portals.pop(message.portal, None)
        if old is not None:
            self._close_portal(old)
        self._portals[message.portal] = Portal(prepared, message.result_formats, literals)
        self.sink.write(replies.BIND_COMPLETE)

    def _on_describe(self, message: Describe) -> None:
        if message.kind == "S":
            prepared = self._statement(message.name)
            self.sink.write(replies.parameter_description(t.oid for t in prepared.param_types))
            columns = self._describe_statement(prepared)
        else:
            portal = self._portal(message.name)
            columns = self._describe_portal(portal)
        if columns is None:
            self.sink.write(replies.NO_DATA)
        else:
            self.sink.write(replies.row_description(columns.descriptions()))

    def _on_execute(self, message: Execute) -> None:
        portal = self._portal(message.portal)
        self._check_not_failed(portal.prepared)
        self._execute(portal, max_rows=message.max_rows, send_description=False)

    def _on_close(self, message: Close) -> None:
        if message.kind == "S":
            self._statements.pop(message.name, None)
        else:
            portal = self._portals.pop(message.name, None)
            if portal is not None:
                self._close_portal(portal)
        self.sink.write(replies.CLOSE_COMPLETE)

    def _on_sync(self, message: Sync) -> None:
        self._is_skipping = False
        self._end_implicit_transaction()
        self._ready()

    def _on_flush(self, message: Flush) -> None:
        self.sink.flush()

    def _statement(self, name: str) -> Prepared:
        prepared = self._statements.get(name)
        if prepared is None:
            raise InvalidStatementName(f'prepared statement "{name}" does not exist')
        return prepared

    def _portal(self, name: str) -> Portal:
        portal = self._portals.get(name)
        if portal is None:
            raise InvalidCursorName(f'portal "{name}" does not exist')
        return portal

    def _check_not_failed(self, prepared: Prepared) -> None:
        if self.status == TransactionStatus.FAILED and not isinstance(
            prepared.command, _ALLOWED_WHEN_FAILED
        ):
            raise InFailedTransaction()

    # -- running statements -------------------------------------------------------------------

    def _execute(self, portal: Portal, *, max_rows: int, send_description: bool) -> None:
        prepared = portal.prepared
        if prepared.route == Route.EMPTY:
            self.sink.write(replies.EMPTY_QUERY_RESPONSE)
            return
        if prepared.route == Route.COMMAND:
            assert prepared.command is not None
            _COMMANDS[type(prepared.command)](self, prepared.command, portal, send_description)
            return
        result = self._open(portal)
        columns = self._portal_columns(portal, result)
        if send_description:
            self.sink.write(replies.row_description(columns.descriptions()))
        sent = self._send_rows(result, columns, max_rows or None)
        if max_rows and not result.is_exhausted:
            self.sink.write(replies.PORTAL_SUSPENDED)
            return
        self.sink.write(replies.command_complete(self._row_tag(prepared, sent)))

    def _row_tag(self, prepared: Prepared, rows: int) -> str:
        word = _ROW_TAGS.get(first_word(prepared.sql), "SELECT")
        return f"{word} {rows}"

    def _portal_columns(self, portal: Portal, result: OpenResult) -> ResultColumns:
        if portal.columns is None:
            portal.columns = result.columns(portal.formats)
        return portal.columns

    def _send_rows(self, result: OpenResult, columns: ResultColumns, max_rows: int | None) -> int:
        context = self._text_context()
        sent = 0
        with self._statement_scope() as scope:
            try:
                for batch in result.take(max_rows):
                    for chunk in encode_rows(batch, columns, context):
                        self.sink.write(chunk)
                    sent += batch.num_rows
            except (ConnectorError, pa.ArrowException) as error:
                if scope.is_cancelled:
                    raise QueryCanceled(scope.reason) from error
                raise
        return sent

    def _text_context(self) -> TextContext:
        return TextContext(
            time_zone=self.settings.get("TimeZone"),
            extra_float_digits=int(self.settings.get("extra_float_digits")),
        )

    def _open(self, portal: Portal) -> OpenResult:
        """The portal's result, starting the statement on first use."""
        if portal.result is None:
            portal.result = _OPENERS[portal.prepared.route](self, portal)
        return portal.result

    def _engine_sql(self, portal: Portal) -> str:
        """The statement for the engine: the client's text, or with parameters bound the
        tree regenerated (generating is the expensive part, so only then)."""
        prepared = portal.prepared
        if not portal.literals or prepared.expression is None:
            return prepared.sql
        return self._bound(portal).sql(dialect="postgres")

    def _bound(self, portal: Portal) -> exp.Expression:
        assert portal.prepared.expression is not None
        if not portal.literals:
            return portal.prepared.expression.copy()
        return bind(portal.prepared.expression, portal.literals)

    def _open_engine(self, portal: Portal) -> OpenResult:
        prepared = portal.prepared
        sql = self._engine_sql(portal)
        assert self.principal is not None
        with self._statement_scope() as scope:
            try:
                result = self.backend.run(
                    self.principal, self.database, sql, session=self._state(), cancel=scope
                )
            except ConnectorError as error:
                if scope.is_cancelled:
                    raise QueryCanceled(scope.reason) from error
                raise
        schema, names = self._pg_schema(prepared, result.reader.schema)
        return OpenResult.from_reader(result.reader, schema, names, result.close)

    def _pg_schema(self, prepared: Prepared, schema: pa.Schema) -> tuple[pa.Schema, list[str]]:
        """The engine's result schema as PostgreSQL would describe it: column names by
        PostgreSQL's rules and types named by top-level casts."""
        if prepared.expression is None:
            return schema, schema.names
        names = output_names(prepared.expression, schema.names)
        declared = declared_types(prepared.expression, len(schema))
        return with_declared_types(schema, declared), names

    def _open_catalog(self, portal: Portal) -> OpenResult:
        table = self._catalog_session().execute(self._bound(portal))
        return OpenResult.from_table(table)

    def _open_settings(self, portal: Portal) -> OpenResult:
        expression = self._bound(portal)
        assert isinstance(expression, exp.Select)
        names = output_names(expression, [f"c{i}" for i in range(len(expression.expressions))])
        return OpenResult.from_table(settings_call_table(self.settings, expression, names))

    def _catalog_session(self) -> CatalogSession:
        if self._catalog is None:
            assert self._handle is not None
            settings = self.settings.all_values()
            settings["pg_backend_pid"] = str(self.config.process_id)
            self._catalog = CatalogSession(
                self.database, self.username, self._handle.databases, self._handle.tables, settings
            )
        return self._catalog

    def _tables(self) -> list:
        return self._handle.tables if self._handle is not None else []

    def _state(self) -> SessionState:
        timeout_ms = _milliseconds(self.settings.get("statement_timeout"))
        return SessionState(
            session_id=self.config.process_id,
            application_name=self.settings.get("application_name"),
            time_zone=self.settings.get("TimeZone"),
            statement_timeout_s=timeout_ms / 1000,
            settings=self.settings.all_values(),
        )

    def _statement_scope(self) -> _ScopeContext:
        return _ScopeContext(self)

    def cancel(self) -> None:
        """Stop the running statement, if any (called from another thread)."""
        with self._scope_lock:
            scope = self._scope
        if scope is not None:
            scope.cancel()

    # -- describing -----------------------------------------------------------------------------

    def _describe_statement(self, prepared: Prepared) -> ResultColumns | None:
        if prepared.route == Route.EMPTY:
            return None
        if prepared.route == Route.COMMAND:
            return self._command_columns(prepared.command, ())
        if prepared.schema is None:
            probe = Portal(prepared, (), _null_literals(prepared))
            if prepared.route == Route.ENGINE:
                prepared.schema, prepared.names = self._engine_schema(probe)
            else:
                result = self._open(probe)
                prepared.schema, prepared.names = result.schema, result.names
                result.close()
        assert prepared.names is not None
        return OpenResult(prepared.schema, prepared.names, iter(())).columns(())

    def _engine_schema(self, portal: Portal) -> tuple[pa.Schema, list[str]]:
        prepared = portal.prepared
        sql = self._engine_sql(portal)
        assert self.principal is not None
        schema = self.backend.describe(self.principal, self.database, sql, session=self._state())
        return self._pg_schema(prepared, schema)

    def _describe_portal(self, portal: Portal) -> ResultColumns | None:
        prepared = portal.prepared
        if prepared.route == Route.EMPTY:
            return None
        if prepared.route == Route.COMMAND:
            return self._command_columns(prepared.command, portal.formats)
        return self._portal_columns(portal, self._open(portal))

    def _command_columns(
        self, command: Command | None, formats: tuple[int, ...]
    ) -> ResultColumns | None:
        if isinstance(command, ShowParameter):
            return OpenResult.from_table(show_table(self.settings, command.name)).columns(formats)
        if isinstance(command, FetchCursor) and not command.is_move:
            cursor = self._cursor(command.name)
            return self._portal_columns(cursor, self._open(cursor))
        return None

    # -- session commands ------------------------------------------------------------------------

    def _run_set(self, command: SetParameter, portal: Portal, send_description: bool) -> None:
        if command.value is None:
            self.settings.reset(command.name)
        else:
            self.settings.set(command.name, command.value)
        self._complete("SET")

    def _run_reset(self, command: ResetParameter, portal: Portal, send_description: bool) -> None:
        if command.name is None:
            self.settings.reset_all()
        else:
            self.settings.reset(command.name)
        self._complete("RESET")

    def _run_show(self, command: ShowParameter, portal: Portal, send_description: bool) -> None:
        result = OpenResult.from_table(show_table(self.settings, command.name))
        columns = self._portal_columns(portal, result)
        if send_description:
            self.sink.write(replies.row_description(columns.descriptions()))
        self._send_rows(result, columns, None)
        self._complete("SHOW")

    def _run_begin(self, command: Begin, portal: Portal, send_description: bool) -> None:
        if self.status != TransactionStatus.IDLE:
            self._warn("25001", "there is already a transaction in progress")
        else:
            self.status = TransactionStatus.IN_BLOCK
        self._complete("BEGIN")

    def _run_commit(self, command: Commit, portal: Portal, send_description: bool) -> None:
        was_failed = self.status == TransactionStatus.FAILED
        if self.status == TransactionStatus.IDLE:
            self._warn("25P01", "there is no transaction in progress")
        self._end_transaction()
        self._complete("ROLLBACK" if was_failed else "COMMIT")

    def _run_rollback(self, command: Rollback, portal: Portal, send_description: bool) -> None:
        if self.status == TransactionStatus.IDLE:
            self._warn("25P01", "there is no transaction in progress")
        self._end_transaction()
        self._complete("ROLLBACK")

    def _run_savepoint(self, command: Savepoint, portal: Portal, send_description: bool) -> None:
        if self.status == TransactionStatus.IDLE:
            raise NoActiveTransaction("SAVEPOINT can only be used in transaction blocks")
        self._savepoints.append(command.name)
        self._complete("SAVEPOINT")

    def _run_release(self, command: Release, portal: Portal, send_description: bool) -> None:
        self._savepoint_index(command.name, "RELEASE SAVEPOINT")
        del self._savepoints[self._savepoint_index(command.name, "RELEASE SAVEPOINT") :]
        self._complete("RELEASE")

    def _run_rollback_to(self, command: RollbackTo, portal: Portal, send_description: bool) -> None:
        index = self._savepoint_index(command.name, "ROLLBACK TO SAVEPOINT")
        del self._savepoints[index + 1 :]
        self.status = TransactionStatus.IN_BLOCK
        self._complete("ROLLBACK")

    def _savepoint_index(self, name: str, verb: str) -> int:
        if self.status == TransactionStatus.IDLE:
            raise NoActiveTransaction(f"{verb} can only be used in transaction blocks")
        for index in range(len(self._savepoints) - 1, -1, -1):
            if self._savepoints[index] == name:
                return index
        raise PgError(f'savepoint "{name}" does not exist', sqlstate="3B001")

    def _run_discard(self, command: Discard, portal: Portal, send_description: bool) -> None:
        if command.what == "all":
            if self.status != TransactionStatus.IDLE:
                raise PgError("DISCARD ALL cannot run inside a transaction block", sqlstate="25001")
            self._close_everything(keep=portal)
            self._statements.clear()
            self.settings.reset_all()
        self._complete(f"DISCARD {command.what.upper()}")

    def _run_declare(self, command: DeclareCursor, portal: Portal, send_description: bool) -> None:
        if not command.with_hold and self.status == TransactionStatus.IDLE:
            raise NoActiveTransaction("DECLARE CURSOR can only be used in transaction blocks")
        if command.name in self._portals:
            raise DuplicateCursor(f'cursor "{command.name}" already exists')
        prepared = prepare(command.query, (), self._tables())
        if prepared.route in (Route.EMPTY, Route.COMMAND):
            raise SyntaxError_("DECLARE CURSOR needs a query", position=command.query_offset + 1)
        formats = (1,) if command.is_binary else ()
        inner = Portal(prepared, formats, portal.literals, is_holdable=command.with_hold)
        self._open(inner)
        self._portals[command.name] = inner
        self._complete("DECLARE CURSOR")

    def _run_fetch(self, command: FetchCursor, portal: Portal, send_description: bool) -> None:
        cursor = self._cursor(command.name)
        result = self._open(cursor)
        if command.is_move:
            moved = sum(batch.num_rows for batch in result.take(command.count))
            self._complete(f"MOVE {moved}")
            return
        columns = self._portal_columns(cursor, result)
        if send_description:
            self.sink.write(replies.row_description(columns.descriptions()))
        fetched = self._send_rows(result, columns, command.count)
        self._complete(f"FETCH {fetched}")

    def _run_close_cursor(
        self, command: CloseCursor, portal: Portal, send_description: bool
    ) -> None:
        if command.name is None:
            self._close_everything(keep=portal)
            self._complete("CLOSE CURSOR ALL")
            return
        self._close_portal(self._cursor(command.name))
        del self._portals[command.name]
        self._complete("CLOSE CURSOR")

    def _run_deallocate(self, command: Deallocate, portal: Portal, send_description: bool) -> None:
        if command.name is None:
            self._statements = {"": self._statements[""]} if "" in self._statements else {}
            self._complete("DEALLOCATE ALL")
            return
        if command.name not in self._statements:
            raise InvalidStatementName(f'prepared statement "{command.name}" does not exist')
        del self._statements[command.name]
        self._complete("DEALLOCATE")

    def _run_noop(self, command: NoOp, portal: Portal, send_description: bool) -> None:
        self._complete(command.tag)

    def _cursor(self, name: str) -> Portal:
        cursor = self._portals.get(name) if name else None
        if cursor is None:
            raise InvalidCursorName(f'cursor "{name}" does not exist')
        return cursor

    def _complete(self, tag: str) -> None:
        self.sink.write(replies.command_complete(tag))

    def _warn(self, sqlstate: str, message: str) -> None:
        fields = {"S": "WARNING", "V": "WARNING", "C": sqlstate, "M": message}
        self.sink.write(replies.notice_response(fields))

    # -- transactions and cleanup ---------------------------------------------------------------

    def _end_transaction(self) -> None:
        self.status = TransactionStatus.IDLE
        self._savepoints.clear()
        self._close_transaction_portals()

    def _end_implicit_transaction(self) -> None:
        if self.status == TransactionStatus.IDLE:
            self._close_transaction_portals()

    def _close_transaction_portals(self) -> None:
        """Portals live until their transaction ends, unless declared WITH HOLD."""
        for name in [name for name, portal in self._portals.items() if not portal.is_holdable]:
            self._close_portal(self._portals.pop(name))

    def _close_portal(self, portal: Portal) -> None:
        if portal.result is not None:
            portal.result.close()

    def _close_everything(self, keep: Portal | None = None) -> None:
        for portal in self._portals.values():
            if portal is not keep:
                self._close_portal(portal)
        self._portals = {name: p for name, p in self._portals.items() if p is keep}

    def close(self) -> None:
        """Release everything the session holds (at disconnect)."""
        self.cancel()
        self._close_everything()
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None
        if self.principal is not None:
            self.backend.end_session(self.config.process_id)


class _ScopeContext:
    """The cancel scope of the statement running now, with the statement timeout armed."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._timer: threading.Timer | None = None
        self._scope = CancelScope()
        self._outer: CancelScope | None = None

    def __enter__(self) -> CancelScope:
        session = self._session
        with session._scope_lock:
            self._outer = session._scope
            if self._outer is not None:
                self._scope = self._outer
            session._scope = self._scope
        timeout_ms = _milliseconds(session.settings.get("statement_timeout"))
        if timeout_ms and self._outer is None:
            self._timer = threading.Timer(
                timeout_ms / 1000,
                self._scope.cancel,
                args=("canceling statement due to statement timeout",),
            )
            self._timer.daemon = True
            self._timer.start()
        return self._scope

    def __exit__(self, *exc_info: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._session._scope_lock:
            self._session._scope = self._outer


def _milliseconds(value: str) -> int:
    units = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
    for unit in sorted(units, key=len, reverse=True):
        if value.endswith(unit) and value[: -len(unit)].isdigit():
            return int(value[: -len(unit)]) * units[unit]
    return int(value) if value.isdigit() else 0


def _options(options: str) -> list[tuple[str, str]]:
    """`-c name=value` and `--name=value` pairs of the startup `options` parameter."""
    pairs: list[tuple[str, str]] = []
    words = options.replace("\\ ", "\x00").split()
    index = 0
    while index < len(words):
        word = words[index].replace("\x00", " ")
        if word == "-c" and index + 1 < len(words):
            index += 1
            word = words[index].replace("\x00", " ")
        elif word.startswith("--") or word.startswith("-c"):
            word = word[2:]
        name, sep, value = word.partition("=")
        if sep:
            pairs.append((name.replace("-", "_"), value))
        index += 1
    return pairs


def _null_literals(prepared: Prepared) -> list[exp.Expression]:
    return [null_literal(pg_type) for pg_type in prepared.param_types]


def _shifted(fields: dict[str, str], offset: int) -> dict[str, str]:
    if "P" in fields and offset:
        fields = {**fields, "P": str(int(fields["P"]) + offset)}
    return fields


_HANDLERS: dict[type, Callable[[Session, Message], None]] = {
    Query: Session._on_query,  # type: ignore[dict-item]
    Parse: Session._on_parse,  # type: ignore[dict-item]
    Bind: Session._on_bind,  # type: ignore[dict-item]
    Describe: Session._on_describe,  # type: ignore[dict-item]
    Execute: Session._on_execute,  # type: ignore[dict-item]
    Close: Session._on_close,  # type: ignore[dict-item]
    Sync: Session._on_sync,  # type: ignore[dict-item]
    Flush: Session._on_flush,  # type: ignore[dict-item]
}
_COMMANDS: dict[type, Callable[..., None]] = {
    SetParameter: Session._run_set,
    ResetParameter: Session._run_reset,
    ShowParameter: Session._run_show,
    Begin: Session._run_begin,
    Commit: Session._run_commit,
    Rollback: Session._run_rollback,
    Savepoint: Session._run_savepoint,
    Release: Session._run_release,
    RollbackTo: Session._run_rollback_to,
    Discard: Session._run_discard,
    DeclareCursor: Session._run_declare,
    FetchCursor: Session._run_fetch,
    CloseCursor: Session._run_close_cursor,
    Deallocate: Session._run_deallocate,
    NoOp: Session._run_noop,
}
_OPENERS: dict[Route, Callable[[Session, Portal], OpenResult]] = {
    Route.ENGINE: Session._open_engine,
    Route.CATALOG: Session._open_catalog,
    Route.SETTINGS: Session._open_settings,
}
