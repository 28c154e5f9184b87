"""The Django side of the wire endpoint: users and tokens, data sources, and the one
governance function with its result cache. The only pgwire module that imports Django;
everything else reaches it through the `pgwire.ports.Backend` protocol.

Methods are called from the server's worker threads; Django gives each thread its own
database connection, which `close_old_connections` keeps fresh. A statement reads the
user and data source from a cache renewed every RECHECK_S, so running one costs no
metadata query and a deactivated user or removed data source stops within that time.
Logins and session starts read the same way: a user's or the tokens' SCRAM verifiers, and
the views and databases a session lists, are reread at most every RECHECK_S, so a changed
password, a revoked token or a withdrawn grant takes effect within that time.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

import pyarrow as pa
from cachetools import Cache, LRUCache, TTLCache
from django.conf import settings
from django.contrib.auth.models import User
from django.db import close_old_connections, connections
from sqlglot import exp

from connectors import open_connector
from connectors.base import ColumnInfo, Connector, TableInfo
from connectors.errors import ConnectorError, QueryRefused, UndefinedObject
from connectors.sql.params import bind_parameters
from dashboards.boards.datasets import Dataset, get_board_datasets_for_user
from dashboards.identity.access import (
    get_datasource_for_user,
    get_datasources_for_user,
    get_saved_queries_for_user,
)
from dashboards.identity.scram import SCRAM_ITERATIONS, keys_from_salted_password
from dashboards.identity.tokens import active_token_keys, authenticate_token, token_scram_salt
from dashboards.identity.wire_credentials import (
    authenticate_password,
    current_secret,
    get_login_user,
)
from dashboards.models import Dashboard, DataSource
from dashboards.pipeline.governance import (
    ExecutionPlan,
    Origin,
    dialect_of,
    parameter_specs_of,
    plan_local_query,
    plan_query,
)
from dashboards.pipeline.result_store import (
    Limits,
    ResultMissing,
    find_fresh_result,
    iter_batches,
    result_schema,
    tee_into_store,
)
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
from pgwire.protocol.errors import AuthorizationRefused, UnknownDatabase
from pgwire.saved_views import (
    SAVED_SCHEMA,
    ViewName,
    dashboard_schema_names,
    dataset_view_name,
    expand_views,
    is_dashboard_schema,
    view_columns,
    view_name,
    views_read,
)

TOKEN_USERNAME = "token"
WIRE_DIALECT = "postgres"
RECHECK_S = 1.0
# how many logins, (user, database) pairs, view probes and constant results are kept
LOGINS_KEPT = 4096
VIEWS_KEPT = 4096
CONSTANTS_KEPT = 256
# what a session of a user on a database may see besides the engine's tables: the user's
# views on it and the databases the user may use
_Listing = tuple[list[TableInfo], list[str]]


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _SharedCache(Generic[K, V]):
    """A cachetools cache shared by the server's threads. Two threads missing the same key
    at once both compute it, and the later value wins."""

    def __init__(self, cache: Cache[K, V]) -> None:
        self._cache = cache
        self._lock = threading.Lock()

    def get(
        self, key: K, compute: Callable[[], V], *, keep: Callable[[V], bool] | None = None
    ) -> V:
        """The value remembered for `key`, else `compute()`'s, remembered unless
        `keep(value)` is false (e.g. no verifiers for an unknown user, so names tried at
        random fill no memory). Exceptions of `compute` propagate."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = compute()
        if keep is None or keep(value):
            with self._lock:
                self._cache[key] = value
        return value


def _principal(user: User) -> Principal:
    return Principal(user.get_username(), int(user.pk))


class DjangoBackend:
    """Backend over dashwire's users, tokens, data sources and governance."""

    def __init__(self) -> None:
        self._engines = EnginePool(_open_source)
        # (saved query id, its last edit, the source's data version, its parameter values as
        # JSON) → the view's columns
        self._view_columns: _SharedCache[tuple[int, str, int, str], tuple[ColumnInfo, ...]] = (
            _SharedCache(LRUCache(VIEWS_KEPT))
        )
        # fingerprint → a constant statement's rows
        self._constants: _SharedCache[str, tuple[pa.Schema, list[pa.RecordBatch]]] = _SharedCache(
            LRUCache(CONSTANTS_KEPT)
        )
        # (user id, database) → (the user, the data source)
        self._checked: _SharedCache[tuple[int, str], tuple[User, DataSource]] = _SharedCache(
            TTLCache(LOGINS_KEPT, RECHECK_S)
        )
        self._verifiers: _SharedCache[str, list[ScramVerifier]] = _SharedCache(
            TTLCache(LOGINS_KEPT, RECHECK_S)
        )
        self._listings: _SharedCache[tuple[int, str], _Listing] = _SharedCache(
            TTLCache(LOGINS_KEPT, RECHECK_S)
        )

    def scram_verifiers(self, username: str) -> list[ScramVerifier]:
        """Read at most every RECHECK_S: a changed password or a revoked token takes
        effect within that time."""
        return self._verifiers.get(username, lambda: _load_verifiers(username), keep=bool)

    def check_password(self, username: str, password: str) -> Principal | None:
        close_old_connections()
        if username == TOKEN_USERNAME:
            user = authenticate_token(password)
        else:
            user = authenticate_password(username, password)
        return None if user is None else _principal(user)

    def open_catalog(
        self, principal: Principal, database: str, *, session_id: int
    ) -> CatalogHandle:
        user, datasource = self._user_and_datasource(principal, database)
        self._engines.hold(datasource.name, session_id)
        listing = self._listings.get(
            (principal.user_id, datasource.name), lambda: self._list(user, datasource)
        )
        views, names = listing
        tables = self._engines.tables(datasource.name) + views
        return CatalogHandle(database, principal, tables, names, datasource.engine)

    def _list(self, user: User, datasource: DataSource) -> _Listing:
        close_old_connections()
        names = list(get_datasources_for_user(user).values_list("name", flat=True))
        return self._saved_views(user, datasource), names

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
        if plan.is_constant:
            rows = self._constants.get(plan.fingerprint, lambda: _constant_result(plan))
            return QueryResult(pa.RecordBatchReader.from_batches(*rows), lambda: None)
        is_cacheable = settings.PGWIRE_CACHE_MAX_AGE_S > 0 and bool(plan.tables)
        if is_cacheable:
            cached = self._cached(plan)
            if cached is not None:
                return cached
        connector = open_connector(plan.datasource.source_settings())
        cancel.on_cancel(connector.cancel)
        try:
            reader = connector.execute(plan.statement, plan.statement_sql)
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

    def plan_local(
        self, principal: Principal, database: str, sql: str, *, scope: LocalScope
    ) -> LocalPlan:
        user, datasource = self._user_and_datasource(principal, database)
        plan = plan_local_query(user, datasource, sql, origin=Origin.WIRE, runs_on=str(scope))
        return LocalPlan(plan.timeout_s, plan.max_rows, plan.max_bytes, datasource.name)

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
        self._engines.release(session_id)
        # a session has a thread of its own: its database connections end with it
        connections.close_all()

    def _plan(self, principal: Principal, database: str, sql: str) -> ExecutionPlan:
        user, datasource = self._user_and_datasource(principal, database)
        read = views_read(sql, WIRE_DIALECT)
        if read is None:
            return plan_query(user, datasource, sql, origin=Origin.WIRE, dialect=WIRE_DIALECT)
        views = _views_in(user, datasource, {schema for schema, _ in read})

        def view_query(schema: str, name: str) -> exp.Expression:
            dataset = views.get((schema, name))
            if dataset is None:
                raise UndefinedObject(f'relation "{schema}.{name}" does not exist')
            return _bound_query(dataset)

        engine_dialect = dialect_of(datasource)
        expanded = expand_views(
            sql, dialect=WIRE_DIALECT, engine_dialect=engine_dialect, view_query=view_query
        )
        return plan_query(user, datasource, expanded, origin=Origin.WIRE, dialect=engine_dialect)

    def _saved_views(self, user: User, datasource: DataSource) -> list[TableInfo]:
        """The user's saved queries on `datasource` as views of the `saved` schema, and the
        datasets of the dashboards they may open as views of one schema per dashboard; a
        view whose query cannot run with its parameter values (or at all) is left out."""
        views = {**_saved_queries(user, datasource), **_dashboard_datasets(user, datasource)}
        tables = []
        for (schema, name), dataset in views.items():
            columns = self._dataset_columns(user, datasource, dataset)
            if columns is not None:
                tables.append(TableInfo(schema, name, columns, kind="view"))
        return tables

    def _dataset_columns(
        self, user: User, datasource: DataSource, dataset: Dataset
    ) -> tuple[ColumnInfo, ...] | None:
        """The columns `dataset` returns, None when it cannot run. A probe is planned (and
        audited) like any statement of the user's, then run with LIMIT 0."""
        query = dataset.query
        key = (
            query.pk,
            query.updated_at.isoformat(),
            datasource.data_version,
            json.dumps(dataset.parameters, sort_keys=True, default=str),
        )
        try:
            columns = self._view_columns.get(
                key, lambda: view_columns(_probe_schema(user, datasource, dataset))
            )
        except ConnectorError:
            return None
        return columns

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

    def _user_and_datasource(self, principal: Principal, database: str) -> tuple[User, DataSource]:
        return self._checked.get(
            (principal.user_id, database), lambda: self._check(principal, database)
        )

    def _check(self, principal: Principal, database: str) -> tuple[User, DataSource]:
        close_old_connections()
        user = User.objects.filter(pk=principal.user_id, is_active=True).first()
        if user is None:
            raise AuthorizationRefused(f'role "{principal.username}" is not permitted to log in')
        return user, self._datasource(user, database)

    def _datasource(self, user: User, database: str) -> DataSource:
        try:
            return get_datasource_for_user(user, database)
        except DataSource.DoesNotExist as error:
            raise UnknownDatabase(f'database "{database}" does not exist') from error


def _load_verifiers(username: str) -> list[ScramVerifier]:
    close_old_connections()
    if username == TOKEN_USERNAME:
        salt = token_scram_salt()
        return [
            ScramVerifier(
                salt,
                SCRAM_ITERATIONS,
                key.stored_key,
                key.server_key,
                Principal(key.username, key.user_id),
            )
            for key in active_token_keys()
        ]
    user = get_login_user(username)
    if user is None:
        return []
    secret = current_secret(user)
    if secret is None:  # set before secrets were kept, or changed around Django
        verifier = verifier_from_django_hash(user.password, _principal(user))
        return [verifier] if verifier is not None else []
    keys = (secret.salt, secret.iterations, secret.stored_key, secret.server_key)
    return [ScramVerifier(*keys, _principal(user))]


def verifier_from_django_hash(encoded: str, principal: Principal) -> ScramVerifier | None:
    """The SCRAM verifier equivalent to a Django `pbkdf2_sha256$iterations$salt$hash`
    password (None for any other hasher): the hash is PBKDF2-HMAC-SHA256 of the password
    with the salt string's bytes, i.e. SCRAM's SaltedPassword."""
    parts = encoded.split("$")
    if len(parts) != 4 or parts[0] != "pbkdf2_sha256":
        return None
    stored_key, server_key = keys_from_salted_password(base64.b64decode(parts[3]))
    return ScramVerifier(parts[2].encode(), int(parts[1]), stored_key, server_key, principal)


def _views_in(user: User, datasource: DataSource, schemas: set[str]) -> dict[ViewName, Dataset]:
    """The user's views on `datasource` in those of `schemas` that are view schemas."""
    views: dict[ViewName, Dataset] = {}
    if SAVED_SCHEMA in schemas:
        views.update(_saved_queries(user, datasource))
    if any(is_dashboard_schema(schema) for schema in schemas):
        views.update(_dashboard_datasets(user, datasource))
    return views


def _constant_result(plan: ExecutionPlan) -> tuple[pa.Schema, list[pa.RecordBatch]]:
    """The rows of a statement fixed by its text (`SELECT 1`, a BI tool's connection
    check): run on the engine once, then answered from memory; the plan is still made
    (and audited) for every run."""
    connector = open_connector(plan.datasource.source_settings())
    try:
        table = connector.execute(plan.statement).read_all()
    finally:
        connector.close()
    return table.schema, table.combine_chunks().to_batches()


def _saved_queries(user: User, datasource: DataSource) -> dict[ViewName, Dataset]:
    """The user's saved queries on `datasource` by view name, named in creation order so a
    name stays put when another query is added or edited."""
    queries = get_saved_queries_for_user(user).filter(datasource=datasource).order_by("pk")
    taken: set[str] = set()
    return {(SAVED_SCHEMA, view_name(query.name, taken)): Dataset(query) for query in queries}


def _dashboard_datasets(user: User, datasource: DataSource) -> dict[ViewName, Dataset]:
    """The datasets on `datasource` of the dashboards the user may open, by view name."""
    boards = get_board_datasets_for_user(user, datasource)
    if not boards:
        return {}
    schemas = dashboard_schema_names(Dashboard.objects.order_by("pk").values_list("pk", "name"))
    views: dict[ViewName, Dataset] = {}
    for board in boards:
        taken: set[str] = set()
        for dataset in board.datasets:
            name = dataset_view_name(dataset.query.name, dataset.title, taken)
            views[(schemas[board.dashboard.pk], name)] = dataset
    return views


def _bound_query(dataset: Dataset) -> exp.Expression:
    """The dataset's statement with its parameter values bound, the query's defaults for
    the others, with the specs governance binds them with. Raises ParameterError when one
    has no value, SqlSyntaxError, QueryRefused when it is no query."""
    query, values = dataset.query, dataset.parameters
    specs = parameter_specs_of(query.parameters, values)
    statement = bind_parameters(query.sql, dialect_of(query.datasource), specs, values)
    if not isinstance(statement, exp.Query):
        raise QueryRefused(f'saved query "{query.name}" is not a query')
    return statement


def _probe_schema(user: User, datasource: DataSource, dataset: Dataset) -> pa.Schema:
    """The result schema of `dataset`, planned by governance for `user` and run with
    LIMIT 0. Raises ConnectorError subclasses (QueryRefused when it is no query)."""
    query = dataset.query
    plan = plan_query(
        user,
        datasource,
        query.sql,
        origin=Origin.WIRE,
        parameters=dataset.parameters,
        parameter_specs=query.parameters,
    )
    if not isinstance(plan.statement, exp.Query):
        raise QueryRefused(f'saved query "{query.name}" is not a query')
    connector = open_connector(datasource.source_settings())
    try:
        return connector.execute(plan.statement.limit(0)).schema
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
