"""SQL helpers for the editor: formatting in the data source's dialect."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from dashboards.api.errors import not_found
from dashboards.identity.access import get_datasource_for_user
from dashboards.library.formatting import format_sql
from dashboards.models import DataSource
from dashboards.pipeline.governance import dialect_of

router = Router(tags=["sql"])


class FormatIn(Schema):
    sql: str = Field(max_length=1_000_000)
    datasource: str


class FormatOut(Schema):
    sql: str


@router.post("/format", response=FormatOut)
def format_statement(request: HttpRequest, body: FormatIn) -> FormatOut:
    """The SQL laid out in the data source's dialect, parameter markers kept. A statement
    that does not parse answers 400 with the position of the error."""
    try:
        datasource = get_datasource_for_user(request.user, body.datasource)
    except DataSource.DoesNotExist as error:
        raise not_found(f"data source {body.datasource}") from error
    return FormatOut(sql=format_sql(body.sql, dialect_of(datasource)))
