"""What the wire endpoint needs from the application, as a Protocol.

The protocol core (codec, session, server) reaches users, grants, data sources and the
governance function only through a `Backend`. The Django implementation lives in
`pgwire/django_backend.py`, the one module of this package that imports Django; tests may use
any other implementation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import pyarrow as pa

from connectors.base import TableInfo


@dataclass(frozen=True)
class Principal:
    """The authenticated user a session acts for."""

    username: str
    user_id: int


@dataclass(frozen=True)
class ScramVerifier:
    """A SCRAM-SHA-256 verifier (RFC 5802): what the server stores instead of a password.

    A Django `pbkdf2_sha256$iterations$salt$hash` password hash is the SaltedPassword, so
    `pgwire.server.scram.verifier_from_django_hash` derives this without the password.
    """

    salt: bytes
    iterations: int
    stored_key: bytes
    server_key: bytes
    principal: Principal


@dataclass(frozen=True)
class CatalogHandle:
    """The data a user may see in one database (= one data source, a catalog)."""

    database: str
    principal: Principal
    tables: list[TableInfo]  # every table and view the user may query, as the web app shows
    databases: list[str]  # every database the user may connect to (for pg_database)
    dialect: str = "postgres"  # the engine's sqlglot dialect (informational)


@dataclass(frozen=True)
class SessionState:
    """What a backend may need to know about the session a statement comes from."""

    session_id: int
    application_name: str = ""
    time_zone: str = "UTC"
    statement_timeout_s: float = 0.0
    settings: Mapping[str, str] = field(default_factory=dict)


class LocalScope(StrEnum):
    """Where a statement that never reaches the data source runs: the session's emulated
    catalog, or its temporary tables."""

    CATALOG = "catalog"
    TEMP_TABLES = "temp_tables"


@dataclass(frozen=True)
class LocalPlan:
    """What the application allows a statement on the session's own DuckDB: the data
    source's limits (a timeout of 0: none)."""

    timeout_s: float
    max_rows: int
    max_bytes: int
    datasource: str  # named in the messages of the limits


class CancelScope:
    """Connects a running statement with whoever wants to stop it (a CancelRequest, a
    statement timeout, a disconnect). Thread-safe: cancel() comes from another thread.

    The backend calls `on_cancel(stop)` as soon as it can stop the engine; when the scope
    was cancelled before that, `stop` runs at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stoppers: list[Callable[[], None]] = []
        self.is_cancelled = False
        self.reason = "canceling statement due to user request"

    def on_cancel(self, stop: Callable[[], None]) -> None:
        with self._lock:
            self._stoppers.append(stop)
            is_cancelled = self.is_cancelled
        if is_cancelled:
            stop()

    def cancel(self, reason: str | None = None) -> None:
        with self._lock:
            if self.is_cancelled:
                return
            self.is_cancelled = True
            if reason:
                self.reason = reason
            stoppers = list(self._stoppers)
        for stop in stoppers:
            stop()


@dataclass
class QueryResult:
    """A running statement's result. `reader` yields batches as the engine produces them;
    `close` releases the engine resources (called exactly once, also after errors)."""

    reader: pa.RecordBatchReader
    close: Callable[[], None]
    is_cached: bool = False


class Backend(Protocol):
    def scram_verifiers(self, username: str) -> list[ScramVerifier]:
        """Verifiers a login as `username` may match; empty when the user is unknown,
        inactive or has no SCRAM-compatible password. For the username `token` these are
        the personal-access-token verifiers; all verifiers returned for one username must
        share salt and iterations (the client hashes with them before we know which)."""

    def check_password(self, username: str, password: str) -> Principal | None:
        """The principal when the cleartext password (or, for `token`, the personal access
        token) is right; None otherwise. Only called over TLS."""

    def open_catalog(
        self, principal: Principal, database: str, *, session_id: int
    ) -> CatalogHandle:
        """The principal's view of `database`, at the start of session `session_id`. The
        backend may keep resources for the session until `end_session` (e.g. the engine
        kept open, so each statement does not reopen it). Raises
        pgwire.protocol.errors.UnknownDatabase (3D000) when it does not exist or the principal may
        not use it."""

    def run(
        self,
        principal: Principal,
        database: str,
        sql: str,
        *,
        session: SessionState,
        cancel: CancelScope,
    ) -> QueryResult:
        """Run one PostgreSQL-dialect statement (parameters already bound as literals)
        through the application's governance function and result cache. Blocking; called
        from a worker thread. Raises connectors.errors.ConnectorError subclasses (refusals
        included); a cancelled statement raises QueryCancelled."""

    def plan_local(
        self, principal: Principal, database: str, sql: str, *, scope: LocalScope
    ) -> LocalPlan:
        """Allow and audit `sql`, a statement the session runs on its own in-memory DuckDB
        (`scope`: its emulated catalog or its temporary tables) instead of the data source,
        through the application's governance like any other; the plan holds the limits it
        runs with. Raises ConnectorError subclasses (QueryRefused) when it may not run."""

    def describe(
        self, principal: Principal, database: str, sql: str, *, session: SessionState
    ) -> pa.Schema:
        """The result schema of `sql` (parameters bound as typed NULLs) without producing
        its rows. Raises ConnectorError subclasses like `run`."""

    def end_session(self, session_id: int) -> None:
        """Release whatever the backend keeps for a session (e.g. its temporary tables)."""
