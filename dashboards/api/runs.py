from __future__ import annotations

import contextlib
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from dashboards.api.auth import request_origin
from dashboards.api.errors import not_found
from dashboards.api.schemas import (
    MAX_PAGE_ROWS,
    MAX_ROW_OFFSET,
    ColumnOut,
    ResultPage,
    RunIn,
    RunOut,
)
from dashboards.identity.access import (
    acting_user,
    get_datasource_for_user,
    get_run_for_user,
    get_saved_queries_for_user,
)
from dashboards.models import DataSource, QueryRun, ResultEntry, RunStatus, SavedQuery
from dashboards.pipeline.downloads import STREAMS, streaming_response, table_rows
from dashboards.pipeline.result_store import ResultMissing, read_page, result_path
from dashboards.pipeline.runs import cancel_run, retry_run, submit_run

router = Router(tags=["runs"])


def run_out(run: QueryRun, *, page_rows: int = 0) -> RunOut:
    """The run; with `page_rows`, a succeeded run also carries its first rows."""
    result = None
    if run.status == RunStatus.SUCCEEDED:
        result = ResultEntry.objects.filter(pk=run.fingerprint).first()
    out = RunOut.from_run(run, result)
    if result is not None and page_rows:
        # when the file is gone, the client asks for the rows and is told so
        with contextlib.suppress(ResultMissing):
            out.page = _page(result, offset=0, limit=page_rows, order_by=[])
    return out


def respond_with_run(run: QueryRun, *, created: bool, page_rows: int = 0) -> tuple[int, RunOut]:
    """A run refused before it reached the engine is a bad request (400), with its body."""
    if run.status == RunStatus.FAILED and run.execution_id is None:
        return 400, run_out(run)
    return (201 if created else 200), run_out(run, page_rows=page_rows)


def _linked_query(request: HttpRequest, body: RunIn, datasource: DataSource) -> SavedQuery | None:
    """The saved query a run belongs to, when `sql` is still its saved text; edited text
    runs as an ad-hoc statement."""
    if body.query_id is None:
        return None
    query = get_saved_queries_for_user(request.user).filter(pk=body.query_id).first()
    if query is None or query.sql.strip() != body.sql.strip():
        return None
    return query if query.datasource_id == datasource.pk else None


@router.post("", response={201: RunOut, 400: RunOut})
def create_run(request: HttpRequest, body: RunIn) -> tuple[int, RunOut]:
    """Run `sql`. A statement refused before it reaches the engine (a syntax error, a
    missing parameter, a write) answers 400 with the run and its error's position."""
    try:
        datasource = get_datasource_for_user(request.user, body.datasource)
    except DataSource.DoesNotExist as error:
        raise not_found(f"data source {body.datasource}") from error
    specs = body.parameter_specs
    run = submit_run(
        acting_user(request),
        datasource=datasource,
        sql=body.sql,
        origin=request_origin(request),
        parameters=body.parameters,
        parameter_specs=[spec.saved_format() for spec in specs] if specs else None,
        max_age_s=body.max_age_s,
        saved_query=_linked_query(request, body, datasource),
    )
    return respond_with_run(run, created=True, page_rows=body.page_rows)


def _get_run(request: HttpRequest, run_id: str) -> QueryRun:
    try:
        return get_run_for_user(request.user, run_id)
    except (QueryRun.DoesNotExist, ValidationError) as error:
        raise not_found(f"run {run_id}") from error


@router.get("/{run_id}", response=RunOut)
def get_run(request: HttpRequest, run_id: str, page_rows: int = 0) -> RunOut:
    """The run; with `page_rows`, a succeeded run also carries its first rows."""
    return run_out(_get_run(request, run_id), page_rows=min(max(page_rows, 0), MAX_PAGE_ROWS))


@router.post("/{run_id}/cancel", response=RunOut)
def cancel(request: HttpRequest, run_id: str) -> RunOut:
    return run_out(cancel_run(_get_run(request, run_id)))


@router.post("/{run_id}/retry", response={201: RunOut, 400: RunOut})
def retry(request: HttpRequest, run_id: str) -> tuple[int, RunOut]:
    return respond_with_run(retry_run(_get_run(request, run_id)), created=True)


class ResultQuery(Schema):
    format: Literal["json", "csv", "parquet", "arrow"] = "json"
    offset: int = Field(0, ge=0, le=MAX_ROW_OFFSET)
    limit: int = Field(1000, ge=1, le=MAX_PAGE_ROWS)
    order_by: str = Field("", max_length=10_000)


@router.get("/{run_id}/result", response=ResultPage)
def get_result(
    request: HttpRequest, run_id: str, params: Query[ResultQuery]
) -> StreamingHttpResponse | ResultPage:
    """One page as JSON (`order_by` is `col` or `-col`, comma separated), or the whole
    result streamed as CSV, Parquet or an Arrow IPC stream."""
    run = _get_run(request, run_id)
    if run.status != RunStatus.SUCCEEDED:
        raise HttpError(409, f"run {run_id} is {run.status}; it has no result")
    entry = ResultEntry.objects.filter(pk=run.fingerprint).first()
    if entry is None or not result_path(run.fingerprint).exists():
        raise HttpError(410, "the result is no longer stored; run the query again")
    if params.format == "json":
        return _json_page(entry, params)
    stream, content_type, extension = STREAMS[params.format]
    response = streaming_response(request, stream(run.fingerprint), content_type)
    response["Content-Disposition"] = f'attachment; filename="run-{run.pk}.{extension}"'
    return response


def _json_page(entry: ResultEntry, params: ResultQuery) -> ResultPage:
    order_by = [
        (term.lstrip("-"), term.startswith("-"))
        for term in params.order_by.split(",")
        if term.strip()
    ]
    return _page(entry, offset=params.offset, limit=params.limit, order_by=order_by)


def _page(
    entry: ResultEntry, *, offset: int, limit: int, order_by: list[tuple[str, bool]]
) -> ResultPage:
    """Raises ResultMissing (410) when the file is gone. A page past the last row is empty
    without reading the file."""
    if offset >= entry.row_count:
        return ResultPage(
            columns=[ColumnOut(**c) for c in entry.columns],
            rows=[],
            offset=offset,
            limit=limit,
            row_count=entry.row_count,
        )
    try:
        page = read_page(entry.fingerprint, offset=offset, limit=limit, order_by=order_by)
    except KeyError as error:
        raise HttpError(400, f"cannot sort by unknown column {error.args[0]!r}") from error
    return ResultPage(
        columns=[ColumnOut(**c) for c in entry.columns],
        rows=table_rows(page),
        offset=offset,
        limit=limit,
        row_count=entry.row_count,
    )
