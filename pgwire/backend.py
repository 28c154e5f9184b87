"""The Django side of the wire endpoint: users and tokens, data sources, and the one
governance function with its result cache. The only pgwire module that imports Django;
everything else reaches it through the `pgwire.ports.Backend` protocol.

Methods are called from the server's worker threads; Django gives each thread its own
database connection, which `close_old_connections` keeps fresh. A statement reads the
user and data source from a cache renewed every RECHECK_S, so running one costs no
metadata query and a deactivated user or removed data source stops within that time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator

import pyarrow as pa
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db import close_old_connections
from sqlglot import exp

from connectors import open_connector
from connectors.base import ColumnInfo, Connector, TableInfo
from connectors.errors import ConnectorError, QueryRefused, UndefinedObject
from connectors.sql.constant import is_constant
from connectors.sql.params import bind_parameters
from dashboards.access import (
    get_datasource_for_user,
    get_datasources_for_user,
    get_saved_queries_for_user,
)
from dashboards.governance import ExecutionPlan, Origin, declared_spec, dialect_of, plan_query
from dashboards.models import AccessToken, DataSource, SavedQuery
from dashboards.result_store import (
    Limits,
    ResultMissing,
    find_fresh_result,
    iter_batches,
    result_schema,
    tee_into_store,
)
from dashboards.tokens import SCRAM_ITERATIONS, active_tokens, authenticate_token, token_scram_salt
from pgwire.auth import verifier_from_django_hash
from pgwire.errors import AuthorizationRefused, UnknownDatabase
from pgwire.pins import EnginePins
from pgwire.ports import (
    CancelScope,
    CatalogHandle,
    Principal,
    QueryResult,
    ScramVerifier,
    SessionState,
)
from pgwire.saved_views import (
    SAVED_SCHEMA,
    expand_saved_views,
    saved_views_read,
    view_columns,
    view_name,
)

TOKEN_USERNAME = "token"
WIRE_DIALECT = "postgres"
RECHECK_S = 1.0


def _principal(user: User) -> Principal:
    return Principal(user.get_username(), int(user.pk))


class DjangoBackend:
    """Backend over dashwire's users, tokens, data sources and governance."""

    def __init__(self) -> None:
        self._pins = EnginePins(_open_source)
        # (saved query id, its last edit, the source's data version) → the view's columns
        self._view_columns: dict[tuple[int, str, int], tuple[ColumnInfo, ...]] = {}
        self._constants = ConstantResults()
        # (user id, database) → (when checked, the user, the data source)
        self._checked: dict[tuple[int, str], tuple[float, User, DataSource]] = {}

    def scram_verifiers(self, username: str) -> list[ScramVerifier]:
        close_old_connections()
        if username == TOKEN_USERNAME:
            return self._token_verifiers()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not user.has_usable_password():
            return []
        verifier = verifier_from_django_hash(user.password, _principal(user))
        return [verifier] if verifier is not None else []

    def _token_verifiers(self) -> list[ScramVerifier]:
        rows = (
            AccessToken.objects.filter(active_tokens(), user__is_active=True)
            .exclude(scram_stored_key="")
            .select_related("user")
        )
        salt = token_scram_salt()
        return [
            ScramVerifier(
                salt=salt,
                iterations=SCRAM_ITERATIONS,
                stored_key=bytes.fromhex(row.scram_stored_key),
                server_key=bytes.fromhex(row.scram_server_key),
                principal=_principal(row.user),
            )
            for row in rows
        ]

    def check_password(self, username: str, password: str) -> Principal | None:
        close_old_connections()
        if username == TOKEN_USERNAME:
            user = authenticate_token(password)
        else:
            user = authenticate(None, username=username, password=password)
        if not isinstance(user, User) or not user.is_active:
            return None
        return _principal(user)

    def open_catalog(
        self, principal: Principal, database: str, *, session_id: int
    ) -> CatalogHandle:
        close_old_connections()
        user = self._user(principal)
        datasource = self._datasource(user, database)
        self._pins.hold(datasource.name, session_id)
        tables = self._pins.tables(datasource.name) + self._saved_views(user, datasource)
        names = list(get_datasources_for_user(user).values_list("name", flat=True))
        return CatalogHandle(database, principal, tables, names, datasource.engine)

    def run(
        self,
        principal: Principal,
        database: str,
        sql: str,
        *,
        session: SessionState,
        cancel: CancelScope,
    ) -> QueryResult:
        plan = self._plan(principal, database, sql)
        if is_constant(plan.statement):
            return self._constants.result(plan)
        is_cacheable = settings.PGWIRE_CACHE_MAX_AGE_S > 0 and bool(plan.tables)
        if is_cacheable:
            cached = self._cached(plan)
            if cached is not None:
                return cached
        connector = open_connector(plan.datasource.source_settings())
        cancel.on_cancel(connector.cancel)
        try:
            reader = connector.execute(plan.statement)
        except ConnectorError:
            connector.close()
            raise
        if not is_cacheable:
            # a statement that reads no table is cheaper to run again than to store
            return QueryResult(reader, connector.close)
        limits = Limits(plan.max_rows, plan.max_bytes, plan.datasource.name)
        batches = tee_into_store(plan.fingerprint, reader, limits)
        stream = pa.RecordBatchReader.from_batches(reader.schema, batches)
        return QueryResult(stream, _closer(connector, batches))

    def describe(
        self, principal: Principal, database: str, sql: str, *, session: SessionState
    ) -> pa.Schema:
        plan = self._plan(principal, database, sql)
        connector = open_connector(plan.datasource.source_settings())
        try:
            statement = plan.statement
            if isinstance(statement, exp.Query):
                statement = statement.limit(0)
            reader = connector.execute(statement)
            return reader.schema
        finally:
            connector.close()

    def end_session(self, session_id: int) -> None:
        self._pins.release(session_id)
        close_old_connections()

    def _plan(self, principal: Principal, database: str, sql: str) -> ExecutionPlan:
        user, datasource = self._user_and_datasource(principal, database)
        if saved_views_read(sql, WIRE_DIALECT) is None:
            return plan_query(user, datasource, sql, origin=Origin.WIRE, dialect=WIRE_DIALECT)
        queries = _saved_queries(user, datasource)

        def view_query(name: str) -> exp.Expression:
            query = queries.get(name.lower())
            if query is None:
                raise UndefinedObject(f'relation "{SAVED_SCHEMA}.{name}" does not exist')
            return _bound_query(query)

        engine_dialect = dialect_of(datasource)
        expanded = expand_saved_views(
            sql, dialect=WIRE_DIALECT, engine_dialect=engine_dialect, view_query=view_query
        )
        return plan_query(user, datasource, expanded, origin=Origin.WIRE, dialect=engine_dialect)

    def _saved_views(self, user: User, datasource: DataSource) -> list[TableInfo]:
        """The user's saved queries on `datasource` as views of the `saved` schema; a query
        that cannot run with its parameter defaults (or at all) is left out."""
        views = []
        for name, query in _saved_queries(user, datasource).items():
            key = (query.pk, query.updated_at.isoformat(), datasource.data_version)
            columns = self._view_columns.get(key)
            if columns is None:
                try:
                    columns = view_columns(_result_schema(datasource, _bound_query(query)))
                except ConnectorError:
                    continue
                self._view_columns[key] = columns
            views.append(TableInfo(SAVED_SCHEMA, name, columns, kind="view"))
        return views

    def _cached(self, plan: ExecutionPlan) -> QueryResult | None:
        entry = find_fresh_result(plan.fingerprint, settings.PGWIRE_CACHE_MAX_AGE_S)
        if entry is None:
            return None
        try:
            schema = result_schema(plan.fingerprint)
        except ResultMissing:
            return None
        reader = pa.RecordBatchReader.from_batches(schema, iter_batches(plan.fingerprint))
        return QueryResult(reader, lambda: None, is_cached=True)

    def _user(self, principal: Principal) -> User:
        return User.objects.get(pk=principal.user_id)

    def _user_and_datasource(self, principal: Principal, database: str) -> tuple[User, DataSource]:
        key, now = (principal.user_id, database), time.monotonic()
        checked = self._checked.get(key)
        if checked is not None and now - checked[0] < RECHECK_S:
            return checked[1], checked[2]
        close_old_connections()
        user = User.objects.filter(pk=principal.user_id, is_active=True).first()
        if user is None:
            raise AuthorizationRefused(f'role "{principal.username}" is not permitted to log in')
        datasource = self._datasource(user, database)
        self._checked[key] = (now, user, datasource)
        return user, datasource

    def _datasource(self, user: User, database: str) -> DataSource:
        try:
            return get_datasource_for_user(user, database)
        except DataSource.DoesNotExist as error:
            raise UnknownDatabase(f'database "{database}" does not exist') from error


class ConstantResults:
    """Results of statements fixed by their text (`SELECT 1`, a BI tool's connection
    check), run on the engine once and then answered from memory; the plan is still
    made (and audited) for every run."""

    KEPT = 256

    def __init__(self) -> None:
        self._tables: OrderedDict[str, pa.Table] = OrderedDict()
        self._lock = threading.Lock()

    def result(self, plan: ExecutionPlan) -> QueryResult:
        with self._lock:
            table = self._tables.get(plan.fingerprint)
        if table is None:
            connector = open_connector(plan.datasource.source_settings())
            try:
                table = connector.execute(plan.statement).read_all()
            finally:
                connector.close()
            with self._lock:
                self._tables[plan.fingerprint] = table
                while len(self._tables) > self.KEPT:
                    self._tables.popitem(last=False)
        reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
        return QueryResult(reader, lambda: None)


def _saved_queries(user: User, datasource: DataSource) -> dict[str, SavedQuery]:
    """The user's saved queries on `datasource` by view name, named in creation order so a
    name stays put when another query is added or edited."""
    queries = get_saved_queries_for_user(user).filter(datasource=datasource).order_by("pk")
    taken: set[str] = set()
    return {view_name(query.name, taken): query for query in queries}


def _bound_query(query: SavedQuery) -> exp.Expression:
    """The saved query's statement with its parameters at their defaults. Raises
    ParameterError when one has no default, SqlSyntaxError, QueryRefused when it is no
    query."""
    specs = {spec["name"]: declared_spec(spec) for spec in query.parameters}
    statement = bind_parameters(query.sql, dialect_of(query.datasource), specs, {})
    if not isinstance(statement, exp.Query):
        raise QueryRefused(f'saved query "{query.name}" is not a query')
    return statement


def _result_schema(datasource: DataSource, query: exp.Expression) -> pa.Schema:
    connector = open_connector(datasource.source_settings())
    try:
        statement = query.copy()
        if isinstance(statement, exp.Query):
            statement = statement.limit(0)
        return connector.execute(statement).schema
    finally:
        connector.close()


def _open_source(name: str) -> Connector:
    return open_connector(DataSource.objects.get(name=name).source_settings())


def _closer(connector: Connector, batches: Iterator[pa.RecordBatch]) -> Callable[[], None]:
    def close() -> None:
        close_batches = getattr(batches, "close", None)
        if close_batches is not None:
            close_batches()
        connector.close()

    return close
