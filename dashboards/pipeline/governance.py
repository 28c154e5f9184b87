"""The one governance path. Every execution — API, editor, dashboard widget, schedule,
wire endpoint — turns (user, data source, SQL, parameters) into an ExecutionPlan here, or
is refused here, and leaves an audit row either way.

What does not depend on the moment (the parsed, bound, classified and limited statement)
is kept per distinct text in a small LRU, so a BI tool repeating a statement costs no
parsing; access, table versions and the audit row are decided at every call."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cachetools import LRUCache, TTLCache, cached
from django.conf import settings
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from connectors import open_connector
from connectors.base import TableRef
from connectors.errors import ConnectorError, QueryRefused
from connectors.sql.classify import StatementKind, classify
from connectors.sql.constant import is_constant
from connectors.sql.fingerprint import fingerprint, normalized_sql
from connectors.sql.limit import inject_limit
from connectors.sql.params import ParameterSpec, ParameterType, bind_parameters, infer_spec
from connectors.sql.parse import check_statement_length, too_complex
from connectors.sql.policy import PolicyContext, apply_policies
from connectors.sql.tables import referenced_tables
from connectors.sql.transpile import to_dialect
from dashboards.audit.batches import wire_audit
from dashboards.identity.access import AnyUser, get_datasources_for_user
from dashboards.models import AuditEvent, DataSource, Engine
from dashboards.pipeline.policies import policies_of

DIALECTS: dict[str, str] = {
    Engine.DUCKDB: "duckdb",
    Engine.POSTGRES: "postgres",
    Engine.DELTA: "databricks",
}
ANALYSES_KEPT = 1024
# how long an access decision is reused: a revoked grant stops working within this time
ACCESS_RECHECK_S = 1.0
ACCESS_DECISIONS_KEPT = 4096


class Origin(StrEnum):
    API = "api"
    EDITOR = "editor"
    WIDGET = "widget"
    SCHEDULE = "schedule"
    WIRE = "wire"


@dataclass(frozen=True)
class ExecutionPlan:
    datasource: DataSource
    user_sql: str
    statement: exp.Expression  # parameters bound, row limit injected
    statement_sql: str  # `statement` in the data source's dialect
    kind: StatementKind
    tables: list[TableRef]
    parameters: dict[str, Any]
    fingerprint: str
    max_rows: int
    max_bytes: int
    timeout_s: float
    is_constant: bool = False  # its result is fixed by its text (`SELECT 1`)


def dialect_of(datasource: DataSource) -> str:
    return DIALECTS[datasource.engine]  # Engine members are the stored strings


def plan_query(
    user: AnyUser,
    datasource: DataSource,
    sql: str,
    *,
    origin: Origin,
    parameters: Mapping[str, Any] | None = None,
    parameter_specs: list[dict[str, Any]] | None = None,
    dialect: str | None = None,
    is_audited: bool = True,
) -> ExecutionPlan:
    """Return the plan for running `sql` (written in `dialect`, by default the data
    source's own: the wire endpoint passes "postgres") for `user`, or raise a
    ConnectorError subclass (QueryRefused, SqlSyntaxError with a position, ParameterError…).

    1. The user must be allowed to use the data source.
    2. Parameters are validated against their specs (declared, or inferred from the JSON
       values of an ad-hoc run) and bound as typed literals into the syntax tree.
    3. Only read statements pass.
    4. The row limit is injected (one row over the limit, so exceeding it can be told).
    5. The fingerprint covers the normalized statement, parameters and table versions.

    `is_audited=False` is for looking up a stored result only (an anonymous viewer of a
    published dashboard): nothing may be run with such a plan, so no audit row is written.
    """
    values = dict(parameters or {})
    try:
        if not _may_use(user, datasource):
            raise QueryRefused(f"you may not query data source {datasource.name}")
        engine_dialect = dialect_of(datasource)
        specs = parameter_specs_of(parameter_specs, values)
        analysis = _analyse(
            sql, dialect or engine_dialect, engine_dialect, specs, values, datasource.max_rows
        )
        secured = _with_policies(
            user, datasource, analysis, dialect or engine_dialect, engine_dialect
        )
        plan = ExecutionPlan(
            datasource=datasource,
            user_sql=sql,
            statement=secured.statement,
            statement_sql=secured.statement_sql,
            kind=analysis.kind,
            tables=list(analysis.tables),
            parameters=values,
            fingerprint=fingerprint(
                datasource=datasource.name,
                normalized=secured.normalized_sql,
                parameters=values,
                table_versions=table_versions(datasource, list(analysis.tables)),
                policy=secured.policy_key,
            ),
            max_rows=datasource.max_rows,
            max_bytes=datasource.max_bytes,
            timeout_s=datasource.timeout_s,
            is_constant=analysis.is_constant,
        )
    except ConnectorError as error:
        if is_audited:
            detail = {"error": error.message}
            _audit(user, datasource, sql, origin, outcome="refused", detail=detail)
        raise
    if is_audited:
        applied = {"policy": secured.policy_key} if secured.policy_key else None
        _audit(
            user,
            datasource,
            sql,
            origin,
            outcome="allowed",
            fingerprint_=plan.fingerprint,
            detail=applied,
        )
    return plan


@dataclass(frozen=True)
class LocalPlan:
    """The limits of a statement that runs on a session's own scratch engine (the data
    source's: the statement stands in for a query on it)."""

    max_rows: int
    max_bytes: int
    timeout_s: float


def plan_local_query(
    user: AnyUser, datasource: DataSource, sql: str, *, origin: Origin, runs_on: str
) -> LocalPlan:
    """Allow `sql`, a statement that reads or writes no data source table — it runs on a
    session's own scratch engine (`runs_on`: the wire endpoint's emulated catalog, or a
    session's temporary tables) — and audit it like any other. The user must be allowed to
    use the data source and the text must be within MAX_STATEMENT_CHARS; which statements
    the scratch engine accepts is its own affair (it holds nothing governed). Raises
    QueryRefused or LimitExceeded."""
    detail: dict[str, Any] = {"runs_on": runs_on}
    try:
        if not _may_use(user, datasource):
            raise QueryRefused(f"you may not query data source {datasource.name}")
        check_statement_length(sql)
    except ConnectorError as error:
        detail["error"] = error.message
        _audit(user, datasource, sql, origin, outcome="refused", detail=detail)
        raise
    _audit(user, datasource, sql, origin, outcome="allowed", detail=detail)
    return LocalPlan(datasource.max_rows, datasource.max_bytes, datasource.timeout_s)


def _may_use(user: AnyUser, datasource: DataSource) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return _is_granted(user, datasource)


@cached(
    TTLCache(ACCESS_DECISIONS_KEPT, ACCESS_RECHECK_S),
    key=lambda user, datasource: (user.pk, datasource.pk),
    lock=threading.Lock(),
)
def _is_granted(user: AnyUser, datasource: DataSource) -> bool:
    return get_datasources_for_user(user).filter(pk=datasource.pk).exists()


@dataclass(frozen=True)
class _Secured:
    """A statement as one user may run it: row filters and column masks spliced in."""

    statement: exp.Expression
    statement_sql: str
    normalized_sql: str
    policy_key: str  # "" when no policy applied


def _with_policies(
    user: AnyUser, datasource: DataSource, analysis: _Analysis, dialect: str, engine_dialect: str
) -> _Secured:
    """The analysed statement with the data source's policies applied for `user`. Raises
    QueryRefused when a governed table is read in a way the policy cannot be proven on."""
    unchanged = _Secured(analysis.statement, analysis.statement_sql, analysis.normalized_sql, "")
    policy_set = policies_of(datasource, engine_dialect=engine_dialect, dialect=dialect)
    if policy_set is None or not analysis.tables:
        return unchanged
    try:
        rewrite = apply_policies(
            analysis.statement,
            policies=policy_set.policies,
            columns=policy_set.columns,
            context=PolicyContext(user=user.get_username(), groups=_groups_of(user)),
            namespace=policy_set.namespace,
        )
    except RecursionError as error:
        raise too_complex() from error
    if not rewrite.key:
        return unchanged
    return _Secured(
        statement=rewrite.statement,
        statement_sql=to_dialect(rewrite.statement, engine_dialect),
        normalized_sql=normalized_sql(rewrite.statement, engine_dialect),
        policy_key=rewrite.key,
    )


@cached(
    TTLCache(ACCESS_DECISIONS_KEPT, ACCESS_RECHECK_S),
    key=lambda user: user.pk,
    lock=threading.Lock(),
)
def _groups_of(user: AnyUser) -> frozenset[str]:
    """What `is_member` tests: the names of the user's groups, rechecked every second."""
    return frozenset(user.groups.values_list("name", flat=True))


@dataclass(frozen=True)
class _Analysis:
    """What a statement text is, whoever runs it: its bound and limited tree (shared by
    every plan of the same text: never changed, copied before a change), that tree as
    the engine's SQL and in normal form, its kind and the tables it reads."""

    statement: exp.Expression
    statement_sql: str
    normalized_sql: str
    kind: StatementKind
    tables: tuple[TableRef, ...]
    is_constant: bool


def _analysis_key(
    sql: str,
    dialect: str,
    engine_dialect: str,
    specs: Mapping[str, ParameterSpec],
    values: Mapping[str, Any],
    max_rows: int,
) -> tuple[str, str, str, int, str]:
    bindings = ""
    if specs or values:
        bindings = json.dumps([repr(sorted(specs.items())), values], sort_keys=True, default=repr)
    return (sql, dialect, engine_dialect, max_rows, bindings)


@cached(LRUCache(ANALYSES_KEPT), key=_analysis_key, lock=threading.Lock())
def _analyse(
    sql: str,
    dialect: str,
    engine_dialect: str,
    specs: Mapping[str, ParameterSpec],
    values: Mapping[str, Any],
    max_rows: int,
) -> _Analysis:
    """Steps 2 to 4 of plan_query, kept per distinct input. Raises like plan_query."""
    try:
        bound = bind_parameters(sql, dialect, specs, values)
        kind = classify(bound)
        # unquoted names fold case as the dialect does, so `Sales` and `sales` are one table
        tables = referenced_tables(normalize_identifiers(bound.copy(), dialect=dialect))
        statement = inject_limit(bound, max_rows + 1)
        return _Analysis(
            statement=statement,
            statement_sql=to_dialect(statement, engine_dialect),
            normalized_sql=normalized_sql(statement, engine_dialect),
            kind=kind,
            tables=tuple(tables),
            is_constant=is_constant(statement),
        )
    except RecursionError as error:  # a tree nested deeper than the passes can walk
        raise too_complex() from error


def parameter_specs_of(
    declared: list[dict[str, Any]] | None, values: Mapping[str, Any]
) -> dict[str, ParameterSpec]:
    """The specs parameters are bound with: the declared ones, else inferred from `values`."""
    if declared:
        return {spec["name"]: declared_spec(spec) for spec in declared}
    return {name: infer_spec(name, value) for name, value in values.items()}


def declared_spec(spec: Mapping[str, Any]) -> ParameterSpec:
    return ParameterSpec(
        name=spec["name"],
        type=ParameterType(spec["type"]),
        options=tuple(str(option) for option in spec.get("options") or ()),
        is_multi=bool(spec.get("is_multi")),
        default=spec.get("default"),
    )


def table_versions(datasource: DataSource, tables: list[TableRef]) -> dict[str, str]:
    """Versions of the tables a statement reads, plus the app's own data version.

    Engines that cannot say when data changed (PostgreSQL) answer "" and get a time bucket
    instead, so their cached results live at most POSTGRES_VERSION_TTL_S.
    """
    versions: dict[str, str] = {}
    if tables:
        connector = open_connector(datasource.source_settings())
        try:
            versions = connector.table_versions(tables)
        finally:
            connector.close()
    if not all(versions.values()):
        bucket = f"ttl:{int(time.time() // settings.POSTGRES_VERSION_TTL_S)}"
        versions = {name: version or bucket for name, version in versions.items()}
    versions["@app"] = str(datasource.data_version)
    return versions


def _audit(
    user: AnyUser,
    datasource: DataSource,
    sql: str,
    origin: Origin,
    *,
    outcome: str,
    fingerprint_: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """The wire endpoint's rows are written in batches (a BI tool may send thousands of
    statements a second); every other origin's at once."""
    fields = {
        "user_id": user.pk if user.is_authenticated else None,
        "action": "query",
        "origin": str(origin),
        "datasource": datasource.name,
        "sql": sql,
        "fingerprint": fingerprint_,
        "outcome": outcome,
        "detail": detail or {},
    }
    if origin == Origin.WIRE:
        wire_audit.add(fields)
    else:
        AuditEvent.objects.create(**fields)
