"""What a data source holds, as the editor and the REST API show it: its tables with their
columns, plus the engine's function names for completion. Listings are cached briefly,
keyed by the data source's data version."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import duckdb
from django.core.cache import cache

from connectors import open_connector
from connectors.base import TableInfo
from dashboards.models import DataSource, Engine

CATALOG_TTL_S = 60
DEFAULT_SCHEMAS = {Engine.DUCKDB: "main", Engine.POSTGRES: "public", Engine.DELTA: "default"}


@dataclass(frozen=True)
class Catalog:
    tables: tuple[TableInfo, ...]  # sorted by schema, then name
    default_schema: str  # the schema unqualified names resolve in ("" when unknown)
    functions: tuple[str, ...]  # the engine's function names (DuckDB only, so far)


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


def build_catalog(datasource: DataSource) -> Catalog:
    """The listing from the engine. Raises ConnectorError when the engine cannot list."""
    connector = open_connector(datasource.source_settings())
    try:
        tables = connector.list_tables()
    finally:
        connector.close()
    engine = Engine(datasource.engine)
    return Catalog(
        tables=tuple(sorted(tables, key=lambda t: (t.schema, t.name))),
        default_schema=DEFAULT_SCHEMAS.get(engine, ""),
        functions=duckdb_functions() if engine is Engine.DUCKDB else (),
    )


def list_catalog(datasource: DataSource, *, is_refresh: bool = False) -> Catalog:
    """The listing from the cache, or from the engine when absent or `is_refresh`. Raises
    ConnectorError when the engine cannot list."""
    key = f"catalog:{datasource.pk}:{datasource.data_version}"
    catalog: Catalog | None = None if is_refresh else cache.get(key)
    if catalog is None:
        catalog = build_catalog(datasource)
        cache.set(key, catalog, CATALOG_TTL_S)
    return catalog
