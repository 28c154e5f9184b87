"""A Backend for protocol tests: users with SCRAM verifiers in memory and one DuckDB file
per database, queried through the DuckDB connector (no Django, no governance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa

from connectors import open_connector
from connectors.base import Connector, SourceSettings
from connectors.errors import ConnectorError, QueryRefused
from connectors.sql.classify import classify
from connectors.sql.parse import parse_statement
from dashboards.identity.scram import scram_keys
from pgwire.engine_pool import EnginePool
from pgwire.ports import (
    CancelScope,
    CatalogHandle,
    LocalPlan,
    LocalScope,
    Principal,
    QueryResult,
    ScramVerifier,
    SessionState,
)
from pgwire.protocol.errors import UnknownDatabase

ITERATIONS = 4096
#: what plan_local answers unless a test sets a backend's `local_plan`
LOCAL_PLAN = LocalPlan(timeout_s=300.0, max_rows=10**7, max_bytes=2**31, datasource="demo")


@cache
def _verifier(password: str, username: str, principal: Principal) -> ScramVerifier:
    """Stored per user, as PostgreSQL does: a login then costs no hashing."""
    # 16 bytes like PostgreSQL's: pg8000's SCRAM library refuses salts under 12 bytes
    salt = f"salt-{username}".encode().ljust(16, b".")
    return _verifier_from_password(password, salt, principal)


def _verifier_from_password(password: str, salt: bytes, principal: Principal) -> ScramVerifier:
    stored_key, server_key = scram_keys(password, salt, ITERATIONS)
    return ScramVerifier(salt, ITERATIONS, stored_key, server_key, principal)


@dataclass
class DuckBackend:
    databases: dict[str, str]  # name → DuckDB file
    passwords: dict[str, str]  # username → password
    tokens: dict[str, str] = field(default_factory=dict)  # token → username
    scram_tokens: bool = False
    ended_sessions: list[int] = field(default_factory=list)
    # what plan_local answers, and the statements it allowed: (scope, user, SQL)
    local_plan: LocalPlan = LOCAL_PLAN
    local_statements: list[tuple[LocalScope, str, str]] = field(default_factory=list)
    engines: EnginePool = field(init=False)

    def __post_init__(self) -> None:
        self.engines = EnginePool(self._connector)

    def _principal(self, username: str) -> Principal:
        return Principal(username, sorted(self.passwords).index(username) + 1)

    def scram_verifiers(self, username: str) -> list[ScramVerifier]:
        if username == "token":
            if not self.scram_tokens:
                return []
            return [
                _verifier_from_password(token, b"token-salt-16byte", self._principal(user))
                for token, user in self.tokens.items()
            ]
        password = self.passwords.get(username)
        if password is None:
            return []
        return [_verifier(password, username, self._principal(username))]

    def check_password(self, username: str, password: str) -> Principal | None:
        if username == "token":
            user = self.tokens.get(password)
            return self._principal(user) if user else None
        if self.passwords.get(username) == password:
            return self._principal(username)
        return None

    def open_catalog(
        self, principal: Principal, database: str, *, session_id: int
    ) -> CatalogHandle:
        if database not in self.databases:
            raise UnknownDatabase(f'database "{database}" does not exist')
        self.engines.hold(database, session_id)
        tables = self.engines.tables(database)
        return CatalogHandle(database, principal, tables, sorted(self.databases), "duckdb")

    def _connector(self, database: str) -> Connector:
        return open_connector(SourceSettings(engine="duckdb", path=self.databases[database]))

    def run(
        self,
        principal: Principal,
        database: str,
        sql: str,
        *,
        session: SessionState,
        cancel: CancelScope,
    ) -> QueryResult:
        statement = parse_statement(sql, "postgres")
        classify(statement)
        connector = self._connector(database)
        cancel.on_cancel(connector.cancel)
        try:
            reader = connector.execute(statement)
        except ConnectorError:
            connector.close()
            raise
        return QueryResult(reader, connector.close)

    def plan_local(
        self, principal: Principal, database: str, sql: str, *, scope: LocalScope
    ) -> LocalPlan:
        self.local_statements.append((scope, principal.username, sql))
        return self.local_plan

    def describe(
        self, principal: Principal, database: str, sql: str, *, session: SessionState
    ) -> pa.Schema:
        result = self.run(principal, database, sql, session=session, cancel=CancelScope())
        try:
            return result.reader.schema
        finally:
            result.close()

    def end_session(self, session_id: int) -> None:
        self.engines.release(session_id)
        self.ended_sessions.append(session_id)


__all__ = ["DuckBackend", "QueryRefused"]
