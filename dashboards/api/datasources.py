from __future__ import annotations

from collections import defaultdict

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from connectors import open_connector
from connectors.errors import ConnectorError
from dashboards.api.errors import not_found
from dashboards.api.schemas import (
    ColumnOut,
    DataSourceOut,
    DataSourceSchemaOut,
    SchemaOut,
    TableOut,
)
from dashboards.identity.access import get_datasource_for_user, get_datasources_for_user
from dashboards.models import DataSource
from dashboards.pipeline.governance import dialect_of

router = Router(tags=["datasources"])


@router.get("", response=list[DataSourceOut])
def list_datasources(request: HttpRequest) -> list[DataSourceOut]:
    return [
        DataSourceOut(name=ds.name, engine=ds.engine, dialect=dialect_of(ds))
        for ds in get_datasources_for_user(request.user)
    ]


@router.get("/{name}/schema", response=DataSourceSchemaOut)
def get_schema(request: HttpRequest, name: str) -> DataSourceSchemaOut:
    try:
        datasource = get_datasource_for_user(request.user, name)
    except DataSource.DoesNotExist as error:
        raise not_found(f"data source {name}") from error
    connector = open_connector(datasource.source_settings())
    try:
        tables = connector.list_tables()
    except ConnectorError as error:
        raise HttpError(502, f"data source {name}: {error.message}") from error
    finally:
        connector.close()
    by_schema: dict[str, list[TableOut]] = defaultdict(list)
    for table in tables:
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
        schemas=[SchemaOut(name=schema, tables=by_schema[schema]) for schema in sorted(by_schema)],
    )
