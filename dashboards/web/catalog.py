"""The catalog of one data source as the editor needs it: schemas → tables → columns (for
the schema browser and completion) plus the engine's function names. Listings are cached
briefly, keyed by the data source's data version."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

import duckdb
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from connectors import open_connector
from connectors.errors import ConnectorError
from dashboards.identity.access import get_datasource_for_user
from dashboards.models import DataSource, Engine
from dashboards.pipeline.governance import dialect_of
from dashboards.web.jsonio import json_error

CATALOG_TTL_S = 60
DEFAULT_SCHEMAS = {Engine.DUCKDB: "main", Engine.POSTGRES: "public", Engine.DELTA: "default"}


@functools.cache
def duckdb_functions() -> tuple[str, ...]:
    """Names of DuckDB's scalar, aggregate and table functions, from DuckDB itself."""
    con = duckdb.connect(":memory:")
    try:
        rows = con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() "
            "WHERE function_type IN ('scalar', 'aggregate', 'table', 'macro', 'table_macro') "
            "AND function_name NOT LIKE '\\_\\_%' ESCAPE '\\' AND regexp_matches(function_name, "
            "'^[a-z][a-z0-9_]*$') ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return tuple(str(row[0]) for row in rows)


def build_catalog(datasource: DataSource) -> dict[str, Any]:
    """The listing as JSON-ready data. Raises ConnectorError when the engine cannot list."""
    connector = open_connector(datasource.source_settings())
    try:
        tables = connector.list_tables()
    finally:
        connector.close()
    by_schema: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for table in sorted(tables, key=lambda t: (t.schema, t.name)):
        by_schema[table.schema].append(
            {
                "name": table.name,
                "kind": table.kind,
                "row_count": table.row_count,
                "columns": [{"name": c.name, "type": c.type} for c in table.columns],
            }
        )
    engine = Engine(datasource.engine)
    return {
        "datasource": datasource.name,
        "dialect": dialect_of(datasource),
        "default_schema": DEFAULT_SCHEMAS.get(engine, ""),
        "schemas": [{"name": name, "tables": by_schema[name]} for name in sorted(by_schema)],
        "functions": list(duckdb_functions()) if engine is Engine.DUCKDB else [],
    }


def cached_catalog(datasource: DataSource, *, is_refresh: bool = False) -> dict[str, Any]:
    """The listing from the cache, or from the engine when absent or `is_refresh`."""
    key = f"catalog:{datasource.pk}:{datasource.data_version}"
    catalog: dict[str, Any] | None = None if is_refresh else cache.get(key)
    if catalog is None:
        catalog = build_catalog(datasource)
        cache.set(key, catalog, CATALOG_TTL_S)
    return catalog


@login_required
@require_GET
def catalog_json(request: HttpRequest, name: str) -> JsonResponse:
    try:
        datasource = get_datasource_for_user(request.user, name)
    except DataSource.DoesNotExist:
        return json_error(f"no data source {name}", status=404)
    try:
        is_refresh = request.GET.get("refresh") == "1"
        return JsonResponse(cached_catalog(datasource, is_refresh=is_refresh))
    except ConnectorError as error:
        return json_error(f"data source {name}: {error.message}", status=502)
