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
    datasource: str
    schemas: list[SchemaOut]


class RunIn(Schema):
    datasource: str = Field(min_length=1)
    sql: str = Field(min_length=1, max_length=1_000_000)
    parameters: dict[str, Any] = {}
    max_age_s: float = Field(0, ge=0)


class SavedQueryRunIn(Schema):
    parameters: dict[str, Any] = {}
    max_age_s: float = Field(0, ge=0)


class ErrorOut(Schema):
    message: str
    position: int | None
    sqlstate: str
    retryable: bool


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

    @staticmethod
    def from_run(run: QueryRun, result: ResultEntry | None) -> RunOut:
        error = None
        if run.error_message and run.status != "cancelled":
            error = ErrorOut(
                message=run.error_message,
                position=run.error_position,
                sqlstate=run.error_sqlstate,
                retryable=run.is_retryable,
            )
        return RunOut(
            id=str(run.pk),
            status=run.status,
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
        )


class ParameterSpecIn(Schema):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    type: str = Field(pattern=r"^(text|number|date|datetime|date_range|enum)$")
    options: list[Any] = []
    is_multi: bool = False
    default: Any = None


class SavedQueryIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    sql: str = Field(min_length=1)
    datasource: str
    parameters: list[ParameterSpecIn] = []

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


class SavedQueryOut(Schema):
    id: int
    name: str
    description: str
    sql: str
    datasource: str
    parameters: list[dict[str, Any]]
    owner: str
    created_at: datetime
    updated_at: datetime
