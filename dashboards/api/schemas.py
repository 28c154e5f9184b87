"""Request and response bodies of the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from dashboards.models import QueryRun, ResultEntry


class ColumnOut(Schema):
    name: str
    type: str
    nullable: bool = True


class TableOut(Schema):
    name: str
    kind: str
    row_count: int | None
    columns: list[ColumnOut]


class SchemaOut(Schema):
    name: str
    tables: list[TableOut]


class DataSourceOut(Schema):
    name: str
    engine: str
    dialect: str


class DataSourceSchemaOut(Schema):
    """A data source's tables by schema, the schema unqualified names resolve in, and the
    engine's function names (for completion; DuckDB only, so far)."""

    datasource: str
    dialect: str
    default_schema: str
    schemas: list[SchemaOut]
    functions: list[str]


MAX_PAGE_ROWS = 10_000
# the oldest result a caller may accept, and the furthest row a page may start at (JavaScript's
# largest exact integer): bounds that keep every number we compute with finite and in range
MAX_AGE_S = 30 * 86_400
MAX_ROW_OFFSET = 2**53 - 1


class ParameterSpecIn(Schema):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    type: str = Field(pattern=r"^(text|number|date|datetime|date_range|enum)$")
    options: list[Any] = []
    is_multi: bool = False
    default: Any = None
    source_query_id: int | None = None  # a text parameter picked from this query's values

    def saved_format(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True) | {"default": self.default}


class RunIn(Schema):
    datasource: str = Field(min_length=1)
    sql: str = Field(min_length=1, max_length=1_000_000)
    parameters: dict[str, Any] = {}
    parameter_specs: list[ParameterSpecIn] | None = None  # else inferred from the values
    max_age_s: float = Field(0, ge=0, le=MAX_AGE_S, allow_inf_nan=False)
    query_id: int | None = None  # the saved query, if `sql` is still its text
    page_rows: int = Field(0, ge=0, le=MAX_PAGE_ROWS)  # a cache hit answers with its rows


class ResultPage(Schema):
    columns: list[ColumnOut]
    rows: list[list[object]]
    offset: int
    limit: int
    row_count: int


class SavedQueryRunIn(Schema):
    parameters: dict[str, Any] = {}
    max_age_s: float = Field(0, ge=0, le=MAX_AGE_S, allow_inf_nan=False)


class ErrorOut(Schema):
    message: str
    position: int | None
    sqlstate: str
    retryable: bool


RESULT_GONE = "the result is no longer stored; run the query again"


class RunOut(Schema):
    id: str
    status: str
    cached: bool
    datasource: str
    query_id: int | None
    sql: str
    parameters: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    row_count: int | None
    columns: list[ColumnOut] | None
    error: ErrorOut | None
    result_created_at: datetime | None = None
    page: ResultPage | None = None  # the first rows, when asked for and already there

    @staticmethod
    def from_run(run: QueryRun, result: ResultEntry | None) -> RunOut:
        """A succeeded run whose result was evicted is "expired"."""
        error = None
        status = str(run.status)
        if run.error_message and run.status != "cancelled":
            error = ErrorOut(
                message=run.error_message,
                position=run.error_position,
                sqlstate=run.error_sqlstate,
                retryable=run.is_retryable,
            )
        if run.status == "succeeded" and result is None:
            status = "expired"
            error = ErrorOut(message=RESULT_GONE, position=None, sqlstate="", retryable=True)
        return RunOut(
            id=str(run.pk),
            status=status,
            cached=run.is_cached,
            datasource=run.datasource.name,
            query_id=run.saved_query_id,
            sql=run.sql,
            parameters=run.parameters,
            created_at=run.created_at,
            finished_at=run.finished_at,
            duration_ms=run.duration_ms,
            row_count=result.row_count if result else None,
            columns=[ColumnOut(**c) for c in result.columns] if result else None,
            error=error,
            result_created_at=result.created_at if result else None,
        )


class SavedQueryIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    sql: str = Field(min_length=1)
    datasource: str
    parameters: list[ParameterSpecIn] = []
    tags: list[str] = []

    @field_validator("parameters")
    @classmethod
    def names_are_unique(cls, value: list[ParameterSpecIn]) -> list[ParameterSpecIn]:
        names = [spec.name for spec in value]
        if len(names) != len(set(names)):
            raise ValueError("parameter names must be unique")
        return value


class SavedQueryPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    sql: str | None = Field(None, min_length=1)
    datasource: str | None = None
    parameters: list[ParameterSpecIn] | None = None
    tags: list[str] | None = None


class SavedQueryOut(Schema):
    id: int
    name: str
    description: str
    sql: str
    datasource: str
    parameters: list[dict[str, Any]]
    tags: list[str]
    owner: str
    can_edit: bool  # whether the caller may change it
    version: int  # the number of its newest version
    created_at: datetime
    updated_at: datetime
