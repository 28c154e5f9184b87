"""The one governance path. Every execution — API, editor, dashboard widget, schedule,
wire endpoint — turns (user, data source, SQL, parameters) into an ExecutionPlan here, or
is refused here, and leaves an audit row either way."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from connectors import open_connector
from connectors.base import TableRef
from connectors.errors import ConnectorError, QueryRefused
from connectors.sql.classify import StatementKind, classify
from connectors.sql.fingerprint import fingerprint
from connectors.sql.limit import inject_limit
from connectors.sql.params import ParameterSpec, ParameterType, bind_parameters, infer_spec
from connectors.sql.tables import referenced_tables
from dashboards.access import AnyUser, get_datasources_for_user
from dashboards.models import AuditEvent, DataSource, Engine

DIALECTS = {Engine.DUCKDB: "duckdb", Engine.POSTGRES: "postgres", Engine.DELTA: "databricks"}


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
    context: dict[str, Any] = field(default_factory=dict)


def dialect_of(datasource: DataSource) -> str:
    return DIALECTS[Engine(datasource.engine)]


def plan_query(
    user: AnyUser,
    datasource: DataSource,
    sql: str,
    *,
    origin: Origin,
    parameters: Mapping[str, Any] | None = None,
    parameter_specs: list[dict[str, Any]] | None = None,
    dialect: str | None = None,
) -> ExecutionPlan:
    """Return the plan for running `sql` (written in `dialect`, by default the data
    source's own: the wire endpoint passes "postgres") for `user`, or raise a
    ConnectorError subclass (QueryRefused, SqlSyntaxError with a position, ParameterError…).

    1. The user must be allowed to use the data source.
    2. Parameters are validated against their specs (declared, or inferred from the JSON
       values of an ad-hoc run) and bound as typed literals into the syntax tree.
    3. Only read statements pass.
    4. The row limit is injected (one row over the limit, so exceeding it can be told).
    5. The fingerprint covers the normalized statement, parameters, table versions and the
       user's data context.
    """
    values = dict(parameters or {})
    try:
        if not get_datasources_for_user(user).filter(pk=datasource.pk).exists():
            raise QueryRefused(f"you may not query data source {datasource.name}")
        engine_dialect = dialect_of(datasource)
        specs = _parameter_specs(parameter_specs, values)
        bound = bind_parameters(sql, dialect or engine_dialect, specs, values)
        kind = classify(bound)
        # unquoted names fold case as the dialect does, so `Sales` and `sales` are one table
        tables = referenced_tables(
            normalize_identifiers(bound.copy(), dialect=dialect or engine_dialect)
        )
        statement = inject_limit(bound, datasource.max_rows + 1)
        context: dict[str, Any] = {}
        plan = ExecutionPlan(
            datasource=datasource,
            user_sql=sql,
            statement=statement,
            statement_sql=statement.sql(dialect=engine_dialect),
            kind=kind,
            tables=tables,
            parameters=values,
            fingerprint=fingerprint(
                datasource=datasource.name,
                expression=statement,
                dialect=engine_dialect,
                parameters=values,
                table_versions=table_versions(datasource, tables),
                context=context,
            ),
            max_rows=datasource.max_rows,
            max_bytes=datasource.max_bytes,
            timeout_s=datasource.timeout_s,
            context=context,
        )
    except ConnectorError as error:
        _audit(user, datasource, sql, origin, outcome="refused", detail={"error": error.message})
        raise
    _audit(user, datasource, sql, origin, outcome="allowed", fingerprint_=plan.fingerprint)
    return plan


def _parameter_specs(
    declared: list[dict[str, Any]] | None, values: Mapping[str, Any]
) -> dict[str, ParameterSpec]:
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
    connector = open_connector(datasource.source_settings())
    try:
        versions = connector.table_versions(tables)
    finally:
        connector.close()
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
    AuditEvent.objects.create(
        user_id=user.pk if user.is_authenticated else None,
        action="query",
        origin=origin,
        datasource=datasource.name,
        sql=sql,
        fingerprint=fingerprint_,
        outcome=outcome,
        detail=detail or {},
    )
