"""One client session as a state machine: startup and authentication, then the simple and
extended query protocols with PostgreSQL's error-recovery and transaction rules. No I/O:
messages come in through `start()`/`handle()`, bytes go out through a `Sink`, statements
run through the `Executor` (and so the `Backend`).

`handle()` is called from a worker thread; a statement blocks that thread while it runs
and while the sink applies back-pressure. `cancel()` may come from any thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from cachetools import LRUCache
from sqlglot import exp

from connectors.errors import ConnectorError
from connectors.sql.parse import check_statement_length
from pgwire.encoding.parameters import decode_parameters
from pgwire.ports import Backend, Principal
from pgwire.protocol import messages
from pgwire.protocol.codec import (
    MAX_MESSAGE_BYTES,
    MAX_PASSWORD_MESSAGE_BYTES,
    MAX_SASL_MESSAGE_BYTES,
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
from pgwire.protocol.errors import (
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
    PgError,
    ProtocolViolation,
    SyntaxError_,
    error_fields,
    is_fatal,
)
from pgwire.protocol.messages import TransactionStatus
from pgwire.server.scram import (
    MECHANISM,
    ScramExchange,
    parse_password,
    parse_sasl_initial_response,
)
from pgwire.session.command_runner import ALLOWED_WHEN_FAILED, command_columns, run_command
from pgwire.session.executor import STATEMENTS_KEPT, Executor, Identity, Portal, Sink
from pgwire.session.preparation import Prepared, Route, prepare
from pgwire.session.settings import SessionSettings, milliseconds, startup_options
from pgwire.sql.lexer import split_statements

query_log = logging.getLogger("pgwire.query")

_NOT_SETTINGS = frozenset({"user", "database", "options", "replication"})
_MESSAGE_LEVELS = {
    **{f"debug{level}": 0 for level in range(1, 6)},
    "log": 1,
    "notice": 2,
    "warning": 3,
    "error": 4,
}


class Phase(StrEnum):
    STARTUP = "startup"
    SASL_FIRST = "sasl-first"
    SASL_FINAL = "sasl-final"
    PASSWORD = "password"
    READY = "ready"


# the longest message each phase accepts: small until the client is authenticated
_MESSAGE_LIMITS = {
    Phase.STARTUP: MAX_SASL_MESSAGE_BYTES,
    Phase.SASL_FIRST: MAX_SASL_MESSAGE_BYTES,
    Phase.SASL_FINAL: MAX_SASL_MESSAGE_BYTES,
    Phase.PASSWORD: MAX_PASSWORD_MESSAGE_BYTES,
    Phase.READY: MAX_MESSAGE_BYTES,
}


@dataclass
class SessionConfig:
    process_id: int
    secret_key: bytes
    is_tls: bool
    mock_secret: bytes
    on_login_failed: Callable[[], None] = field(default=lambda: None)


class Session:
    def __init__(self, backend: Backend, sink: Sink, config: SessionConfig) -> None:
        self.backend = backend
        self.sink = sink
        self.config = config
        self.settings = SessionSettings()
        self.executor = Executor(backend, sink, self.settings)
        self.phase = Phase.STARTUP
        self.status = TransactionStatus.IDLE
        self.database = ""
        self.username = ""
        self.statements: dict[str, Prepared] = {}
        # protocol portals and DECLAREd cursors share one namespace, as in PostgreSQL
        self.portals: dict[str, Portal] = {}
        self.savepoints: list[str] = []
        # statements prepared lately, by text and declared parameter types: clients
        # repeat theirs, and preparing one costs more than running a small query
        self._recent: LRUCache[tuple[str, tuple[int, ...]], Prepared] = LRUCache(STATEMENTS_KEPT)
        # and Bind values decoded lately (bound into statements as copies: shared)
        self._recent_literals: LRUCache[tuple[object, ...], list[exp.Expression]] = LRUCache(
            STATEMENTS_KEPT
        )
        self._scram: ScramExchange | None = None
        self._is_skipping = False

    # -- startup and authentication ----------------------------------------------------

    def start(self, startup: StartupMessage) -> bool:
        """Answer the StartupMessage; False when the connection must close."""
        return self._guard(Session._start, startup, is_startup=True)

    def _start(self, startup: StartupMessage) -> None:
        parameters = startup.parameters
        self.username = parameters.get("user", "")
        if not self.username:
            raise AuthorizationRefused("no PostgreSQL user name specified in startup packet")
        self.database = parameters.get("database") or self.username
        unknown = [name for name in parameters if name.startswith("_pq_.")]
        if startup.protocol != PROTOCOL_3_0 or unknown:
            self.sink.write(messages.negotiate_protocol_version(0, unknown))
        self._apply_startup_settings(parameters)
        self._request_authentication()
        self.sink.flush()

    def _apply_startup_settings(self, parameters: dict[str, str]) -> None:
        """Known parameters of the startup packet (and its `options`) become the session's
        values — what RESET returns to; unknown ones are ignored, as clients send many."""
        try:
            for name, value in parameters.items():
                if name in _NOT_SETTINGS or name.startswith("_pq_."):
                    continue
                if self.settings.display_name(name) != name.lower() or "." in name:
                    self.settings.set(name, value, is_startup=True)
            for name, value in startup_options(parameters.get("options", "")):
                self.settings.set(name, value, is_startup=True)
            self.settings.set("session_authorization", self.username, is_startup=True)
        except PgError as error:
            raise FatalError(error.message, sqlstate=error.sqlstate) from error
        self.settings.remember_startup_values()

    def _request_authentication(self) -> None:
        """SCRAM-SHA-256 whenever the backend has verifiers (or to fail an unknown user
        without telling); cleartext only over TLS, for logins SCRAM cannot check."""
        verifiers = self.backend.scram_verifiers(self.username)
        if self.username == "token" and not verifiers and not self.config.is_tls:
            raise AuthorizationRefused(
                "a token login needs TLS (sslmode=require): tokens are sent as passwords"
            )
        if not verifiers and self.config.is_tls:
            self.phase = Phase.PASSWORD
            self.sink.write(messages.authentication_cleartext())
            return
        self._scram = ScramExchange(self.username, verifiers, self.config.mock_secret)
        self.phase = Phase.SASL_FIRST
        self.sink.write(messages.authentication_sasl([MECHANISM]))

    def _authenticate(self, message: Message) -> None:
        if not isinstance(message, AuthData):
            raise ProtocolViolation("expected an authentication response")
        if self.phase == Phase.PASSWORD:
            password = parse_password(message.payload)
            principal = self.backend.check_password(self.username, password)
            if principal is None:
                self.config.on_login_failed()
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
            server_first = self._scram.server_first(client_first)
            self.sink.write(messages.authentication_sasl_continue(server_first))
            self.phase = Phase.SASL_FINAL
            self.sink.flush()
            return
        try:
            principal, server_final = self._scram.server_final(message.payload)
        except AuthenticationFailed:
            self.config.on_login_failed()
            raise
        self.sink.write(messages.authentication_sasl_final(server_final))
        self._authenticated(principal)

    def _authenticated(self, principal: Principal) -> None:
        self.sink.write(messages.authentication_ok())
        handle = self.backend.open_catalog(
            principal, self.database, session_id=self.config.process_id
        )
        self.executor.identity = Identity(principal, self.database, handle, self.config.process_id)
        for name, value in self.settings.reported():
            self.sink.write(messages.parameter_status(name, value))
        self.sink.write(messages.backend_key_data(self.config.process_id, self.config.secret_key))
        self.phase = Phase.READY
        self._ready()

    def max_message_bytes(self) -> int:
        """The longest message the session accepts now: PostgreSQL's small limits until
        the client is authenticated, so no one unknown makes the server hold much."""
        return _MESSAGE_LIMITS[self.phase]

    # -- message dispatch -----------------------------------------------------------------

    def handle(self, message: Message) -> bool:
        """Process one message; False when the connection must close."""
        if isinstance(message, Terminate):
            return False
        if self.phase != Phase.READY:
            return self._guard(Session._authenticate, message, is_startup=True)
        if self._is_skipping and not isinstance(message, Sync):
            return True
        handler = _HANDLERS.get(type(message), Session._unsupported)
        return self._guard(handler, message, is_startup=False)

    def _guard(
        self, action: Callable[[Session, Any], None], message: object, *, is_startup: bool
    ) -> bool:
        """Run `action(self, message)`, reporting any error to the client: the one place
        errors become ErrorResponse messages. False when the connection must close."""
        try:
            action(self, message)
        except ClientGone:
            return False
        except Exception as error:
            self.sink.write(messages.error_response(error_fields(error)))
            if is_fatal(error) or is_startup:
                self.sink.flush()
                return False
            self._is_skipping = True
            self._fail_transaction()
            self.sink.flush()
        return True

    def _fail_transaction(self) -> None:
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
            self.sink.write(messages.parameter_status(name, value))
        self.sink.write(messages.ready_for_query(self.status))
        self.sink.flush()

    # -- simple query -----------------------------------------------------------------------

    def _on_query(self, message: Query) -> None:
        """Each statement gets its own result; the first error ends the message. A text
        longer than any statement may be is refused before it is even split."""
        try:
            check_statement_length(message.sql)
        except ConnectorError as error:
            self.sink.write(messages.error_response(error_fields(error)))
            self._fail_transaction()
            self._ready()
            return
        statements = [statement for statement in split_statements(message.sql) if statement.text]
        if not statements:
            self.sink.write(messages.EMPTY_QUERY_RESPONSE)
        for statement in statements:
            try:
                prepared = self._prepare(statement.text, ())
                self._check_not_failed(prepared)
                portal = Portal(prepared, (), [])
                self._execute(portal, max_rows=0, send_description=True)
                portal.close()
            except ClientGone:
                raise
            except Exception as error:
                fields = _shifted(error_fields(error), statement.offset)
                self.sink.write(messages.error_response(fields))
                if is_fatal(error):
                    raise
                self._fail_transaction()
                break
        self._end_implicit_transaction()
        self._ready()

    # -- extended query ---------------------------------------------------------------------

    def _on_parse(self, message: Parse) -> None:
        if message.name and message.name in self.statements:
            raise DuplicateStatement(f'prepared statement "{message.name}" already exists')
        check_statement_length(message.sql)
        if len([s for s in split_statements(message.sql) if s.text]) > 1:
            raise SyntaxError_("cannot insert multiple commands into a prepared statement")
        prepared = self._prepare(message.sql, message.param_oids)
        self._check_not_failed(prepared)
        self.statements[message.name] = prepared
        self.sink.write(messages.PARSE_COMPLETE)

    def _on_bind(self, message: Bind) -> None:
        prepared = self._statement(message.statement)
        self._check_not_failed(prepared)
        if message.portal and message.portal in self.portals:
            raise DuplicateCursor(f'portal "{message.portal}" already exists')
        if prepared.param_types and len(message.params) != len(prepared.param_types):
            raise ProtocolViolation(
                f"bind message supplies {len(message.params)} parameters, but prepared "
                f'statement "{message.statement}" requires {len(prepared.param_types)}'
            )
        oids = tuple(pg_type.oid for pg_type in prepared.param_types)
        values = (message.params, message.param_formats, oids)
        literals = self._recent_literals.get(values)
        if literals is None:
            literals = decode_parameters(
                message.params, message.param_formats, prepared.param_types
            )
            self._recent_literals[values] = literals
        old = self.portals.pop(message.portal, None)
        if old is not None:
            old.close()
        self.portals[message.portal] = Portal(
            prepared, message.result_formats, literals, values=values
        )
        self.sink.write(messages.BIND_COMPLETE)

    def _on_describe(self, message: Describe) -> None:
        if message.kind == "S":
            prepared = self._statement(message.name)
            self.sink.write(messages.parameter_description(t.oid for t in prepared.param_types))
            if prepared.route == Route.COMMAND:
                columns = command_columns(self, prepared.command, ())
            else:
                columns = self.executor.describe_statement(prepared)
        else:
            portal = self._portal(message.name)
            if portal.prepared.route == Route.COMMAND:
                columns = command_columns(self, portal.prepared.command, portal.formats)
            else:
                columns = self.executor.describe_portal(portal)
        if columns is None:
            self.sink.write(messages.NO_DATA)
        else:
            self.sink.write(columns.row_description)

    def _on_execute(self, message: Execute) -> None:
        portal = self._portal(message.portal)
        self._check_not_failed(portal.prepared)
        self._execute(portal, max_rows=message.max_rows, send_description=False)

    def _on_close(self, message: Close) -> None:
        if message.kind == "S":
            self.statements.pop(message.name, None)
        else:
            portal = self.portals.pop(message.name, None)
            if portal is not None:
                portal.close()
        self.sink.write(messages.CLOSE_COMPLETE)

    def _on_sync(self, message: Sync) -> None:
        self._is_skipping = False
        self._end_implicit_transaction()
        self._ready()

    def _on_flush(self, message: Flush) -> None:
        self.sink.flush()

    def _prepare(self, sql: str, param_oids: tuple[int, ...]) -> Prepared:
        """A fresh copy each time: a statement's description is kept on it, and a table
        may have changed since the text was last prepared."""
        key = (sql, param_oids)
        prepared = self._recent.get(key)
        if prepared is None:
            prepared = prepare(sql, param_oids, self.executor.tables())
            self._recent[key] = prepared
        return replace(prepared)

    def _statement(self, name: str) -> Prepared:
        prepared = self.statements.get(name)
        if prepared is None:
            raise InvalidStatementName(f'prepared statement "{name}" does not exist')
        return prepared

    def _portal(self, name: str) -> Portal:
        portal = self.portals.get(name)
        if portal is None:
            raise InvalidCursorName(f'portal "{name}" does not exist')
        return portal

    def _check_not_failed(self, prepared: Prepared) -> None:
        if self.status == TransactionStatus.FAILED and not isinstance(
            prepared.command, ALLOWED_WHEN_FAILED
        ):
            raise InFailedTransaction()

    # -- running statements -------------------------------------------------------------------

    def _execute(self, portal: Portal, *, max_rows: int, send_description: bool) -> None:
        """Run one Execute and log its metrics line: route, outcome, bytes sent, and the
        time since the statement started (a Describe may have started it)."""
        started = time.perf_counter()
        bytes_before = self.sink.bytes_written
        outcome = "error"
        try:
            outcome = self._execute_statement(
                portal, max_rows=max_rows, send_description=send_description
            )
        finally:
            if query_log.isEnabledFor(logging.INFO):
                self._log_metrics(portal, outcome, started, bytes_before)

    def _log_metrics(self, portal: Portal, outcome: str, started: float, bytes_before: int) -> None:
        result = portal.result
        query_log.info(
            "statement session=%d user=%s database=%s route=%s outcome=%r rows=%d "
            "bytes=%d ms=%.1f cache=%s",
            self.config.process_id,
            self.username,
            self.database,
            portal.prepared.route,
            outcome,
            result.rows_taken if result is not None else 0,
            self.sink.bytes_written - bytes_before,
            (time.perf_counter() - min(started, portal.opened_at or started)) * 1000,
            ("hit" if result.is_cached else "miss") if result is not None else "-",
        )

    def _execute_statement(self, portal: Portal, *, max_rows: int, send_description: bool) -> str:
        """Run one Execute of `portal`; returns its command tag (or "suspended n")."""
        prepared = portal.prepared
        if prepared.route == Route.EMPTY:
            self.sink.write(messages.EMPTY_QUERY_RESPONSE)
            return "empty"
        if prepared.route == Route.COMMAND:
            assert prepared.command is not None
            run_command(self, prepared.command, portal, send_description)
            return type(prepared.command).__name__
        result = self.executor.open(portal)
        if not result.schema and portal.tag:
            self.complete(portal.tag)
            return portal.tag
        columns = self.executor.columns(portal, result)
        if send_description:
            self.sink.write(columns.row_description)
        sent = self.executor.send_rows(result, columns, max_rows or None)
        if max_rows and not result.is_exhausted:
            self.sink.write(messages.PORTAL_SUSPENDED)
            return f"suspended {sent}"
        tag = f"SELECT {sent}"
        self.complete(tag)
        return tag

    def complete(self, tag: str) -> None:
        self.sink.write(messages.command_complete(tag))

    def warn(self, sqlstate: str, message: str) -> None:
        """A WARNING NoticeResponse, unless client_min_messages asks for less."""
        threshold = _MESSAGE_LEVELS.get(self.settings.get("client_min_messages").lower(), 0)
        if threshold > _MESSAGE_LEVELS["warning"]:
            return
        fields = {"S": "WARNING", "V": "WARNING", "C": sqlstate, "M": message}
        self.sink.write(messages.notice_response(fields))

    def idle_in_transaction_limit_s(self) -> float | None:
        """How long the client may stay silent inside a transaction block
        (idle_in_transaction_session_timeout), None when not in one or unlimited."""
        if self.status == TransactionStatus.IDLE:
            return None
        limit_ms = milliseconds(self.settings.get("idle_in_transaction_session_timeout"))
        return limit_ms / 1000 if limit_ms else None

    def cancel(self) -> None:
        """Stop the running statement, if any (called from another thread)."""
        self.executor.cancel()

    # -- transactions and cleanup ---------------------------------------------------------------

    def end_transaction(self) -> None:
        self.status = TransactionStatus.IDLE
        self.savepoints.clear()
        self._close_transaction_portals()

    def _end_implicit_transaction(self) -> None:
        if self.status == TransactionStatus.IDLE:
            self._close_transaction_portals()

    def _close_transaction_portals(self) -> None:
        """Portals live until their transaction ends, unless declared WITH HOLD."""
        for name in [name for name, portal in self.portals.items() if not portal.is_holdable]:
            self.portals.pop(name).close()

    def close_portals(self, keep: Portal | None = None) -> None:
        """Close every portal and cursor except `keep` (the one running the command)."""
        for portal in self.portals.values():
            if portal is not keep:
                portal.close()
        self.portals = {name: portal for name, portal in self.portals.items() if portal is keep}

    def close(self) -> None:
        """Release everything the session holds (at disconnect)."""
        self.close_portals()
        self.executor.close()
        if self.executor.identity is not None:
            self.backend.end_session(self.config.process_id)


def _shifted(fields: dict[str, str], offset: int) -> dict[str, str]:
    """Error positions in a multi-statement Query count from the start of the message."""
    if "P" in fields and offset:
        fields = {**fields, "P": str(int(fields["P"]) + offset)}
    return fields


_HANDLERS: dict[type, Callable[[Session, Any], None]] = {
    Query: Session._on_query,
    Parse: Session._on_parse,
    Bind: Session._on_bind,
    Describe: Session._on_describe,
    Execute: Session._on_execute,
    Close: Session._on_close,
    Sync: Session._on_sync,
    Flush: Session._on_flush,
}
