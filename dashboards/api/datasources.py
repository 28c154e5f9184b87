"""Data sources: the ones the caller may query, what each holds (for the schema browser
and completion), and testing connection settings before adding a source (staff)."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from connectors.errors import ConnectorError
from dashboards.api.errors import not_found
from dashboards.api.schemas import (
    ColumnOut,
    DataSourceOut,
    DataSourceSchemaOut,
    SchemaOut,
    TableOut,
)
from dashboards.catalog.datasources import try_connection
from dashboards.catalog.listing import list_catalog
from dashboards.identity.access import (
    acting_user,
    get_datasource_for_user,
    get_datasources_for_user,
)
from dashboards.models import DataSource, Engine
from dashboards.pipeline.governance import dialect_of

router = Router(tags=["datasources"])


@router.get("", response=list[DataSourceOut])
def list_datasources(request: HttpRequest) -> list[DataSourceOut]:
    return [
        DataSourceOut(name=ds.name, engine=ds.engine, dialect=dialect_of(ds))
        for ds in get_datasources_for_user(request.user)
    ]


@router.get("/{name}/schema", response=DataSourceSchemaOut)
def get_schema(request: HttpRequest, name: str, refresh: bool = False) -> DataSourceSchemaOut:
    """Listings are cached for a minute (and until the app writes to the source);
    `refresh=1` lists anew."""
    try:
        datasource = get_datasource_for_user(request.user, name)
    except DataSource.DoesNotExist as error:
        raise not_found(f"data source {name}") from error
    try:
        catalog = list_catalog(datasource, is_refresh=refresh)
    except ConnectorError as error:
        raise HttpError(502, f"data source {name}: {error.message}") from error
    by_schema: dict[str, list[TableOut]] = defaultdict(list)
    for table in catalog.tables:
        by_schema[table.schema].append(
            TableOut(
                name=table.name,
                kind=table.kind,
                row_count=table.row_count,
                columns=[
                    ColumnOut(name=c.name, type=c.type, nullable=c.nullable) for c in table.columns
                ],
            )
        )
    return DataSourceSchemaOut(
        datasource=name,
        dialect=dialect_of(datasource),
        default_schema=catalog.default_schema,
        schemas=[SchemaOut(name=schema, tables=by_schema[schema]) for schema in sorted(by_schema)],
        functions=list(catalog.functions),
    )


class ConnectionIn(Schema):
    engine: Engine
    path: str = Field("", max_length=1024)
    dsn: str = Field("", max_length=2048)


class ConnectionTestOut(Schema):
    """`is_connected` with the number of tables the engine lists, or the engine's reason."""

    is_connected: bool
    table_count: int | None = None
    problem: str = ""


@router.post("/test", response=ConnectionTestOut)
def test_connection(request: HttpRequest, body: ConnectionIn) -> ConnectionTestOut:
    """Try connection settings without saving them (staff only). Missing settings answer
    400 with the field."""
    if not acting_user(request).is_staff:
        raise PermissionDenied("only administrators add data sources")
    try:
        count = try_connection(engine=body.engine, path=body.path, dsn=body.dsn)
    except ConnectorError as error:
        return ConnectionTestOut(
            is_connected=False, problem=f"{type(error).__name__}: {error.message}"
        )
    return ConnectionTestOut(is_connected=True, table_count=count)
