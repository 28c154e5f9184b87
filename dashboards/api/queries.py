"""Saved queries in the REST API: CRUD (every change of SQL or parameters is a version),
fork, the trash and back, restoring an older version, runs, and the values a dropdown
parameter takes from a query's result."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from dashboards.api.errors import not_found
from dashboards.api.runs import respond_with_run
from dashboards.api.schemas import (
    RunOut,
    SavedQueryIn,
    SavedQueryOut,
    SavedQueryPatch,
    SavedQueryRunIn,
)
from dashboards.identity.access import (
    acting_user,
    can_edit_saved_query,
    get_datasource_for_user,
    get_run_for_user,
    get_saved_queries_for_user,
    get_trashed_queries_for_user,
)
from dashboards.library.queries import delete_saved_query
from dashboards.library.workspace import (
    fork_query,
    restore_query,
    restore_query_version,
    save_query,
    trash_query,
)
from dashboards.models import DataSource, QueryRun, QueryVersion, RunStatus, SavedQuery
from dashboards.pipeline.governance import Origin
from dashboards.pipeline.result_store import ResultMissing, read_page
from dashboards.pipeline.runs import submit_run

router = Router(tags=["queries"])

MAX_OPTIONS = 1000


def query_out(query: SavedQuery, user: User) -> SavedQueryOut:
    latest = query.versions.first()
    return SavedQueryOut(
        id=query.pk,
        name=query.name,
        description=query.description,
        sql=query.sql,
        datasource=query.datasource.name,
        parameters=query.parameters,
        tags=sorted(query.tags.values_list("name", flat=True)),
        owner=query.owner.get_username(),
        can_edit=can_edit_saved_query(user, query),
        version=latest.number if latest else 0,
        created_at=query.created_at,
        updated_at=query.updated_at,
    )


def _datasource(request: HttpRequest, name: str) -> DataSource:
    try:
        return get_datasource_for_user(request.user, name)
    except DataSource.DoesNotExist as error:
        raise HttpError(400, f"unknown data source {name}") from error


def _query(request: HttpRequest, query_id: int, *, for_edit: bool = False) -> SavedQuery:
    try:
        query = get_saved_queries_for_user(request.user).get(pk=query_id)
    except SavedQuery.DoesNotExist as error:
        raise not_found(f"query {query_id}") from error
    if for_edit and not can_edit_saved_query(request.user, query):
        raise HttpError(403, "only the owner of a query may change it")
    return query


def _save(request: HttpRequest, query: SavedQuery | None, fields: dict[str, Any]) -> SavedQuery:
    return save_query(
        acting_user(request),
        query=query,
        name=fields["name"],
        description=fields["description"],
        sql=fields["sql"],
        datasource=_datasource(request, fields["datasource"]),
        parameters=fields["parameters"],
        tags=fields["tags"],
    )


def _fields(query: SavedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "description": query.description,
        "sql": query.sql,
        "datasource": query.datasource.name,
        "parameters": query.parameters,
        "tags": list(query.tags.values_list("name", flat=True)),
    }


def _changes(body: SavedQueryIn | SavedQueryPatch) -> dict[str, Any]:
    changes: dict[str, Any] = body.dict(exclude_unset=True, exclude_none=True)
    if body.parameters is not None:
        changes["parameters"] = [spec.saved_format() for spec in body.parameters]
    return changes


@router.get("", response=list[SavedQueryOut])
def list_queries(
    request: HttpRequest, search: str = "", datasource: str = ""
) -> list[SavedQueryOut]:
    queries = get_saved_queries_for_user(request.user)
    if search:
        queries = queries.filter(name__icontains=search)
    if datasource:
        queries = queries.filter(datasource__name=datasource)
    user = acting_user(request)
    return [query_out(q, user) for q in queries]


@router.post("", response={201: SavedQueryOut})
def create_query(request: HttpRequest, body: SavedQueryIn) -> tuple[int, SavedQueryOut]:
    """Parameters the SQL uses without a spec become text; specs of unused ones are dropped."""
    fields = {"description": "", "parameters": [], "tags": [], **_changes(body)}
    return 201, query_out(_save(request, None, fields), acting_user(request))


@router.get("/{query_id}", response=SavedQueryOut)
def get_query(request: HttpRequest, query_id: int) -> SavedQueryOut:
    return query_out(_query(request, query_id), acting_user(request))


@router.patch("/{query_id}", response=SavedQueryOut)
def patch_query(request: HttpRequest, query_id: int, body: SavedQueryPatch) -> SavedQueryOut:
    query = _query(request, query_id, for_edit=True)
    saved = _save(request, query, {**_fields(query), **_changes(body)})
    return query_out(saved, acting_user(request))


@router.put("/{query_id}", response=SavedQueryOut)
def put_query(request: HttpRequest, query_id: int, body: SavedQueryIn) -> SavedQueryOut:
    query = _query(request, query_id, for_edit=True)
    saved = _save(request, query, {**_fields(query), **_changes(body)})
    return query_out(saved, acting_user(request))


@router.delete("/{query_id}", response={204: None})
def delete_query(request: HttpRequest, query_id: int) -> tuple[int, None]:
    """Deletes it for good (`/trash` can be undone)."""
    delete_saved_query(acting_user(request), _query(request, query_id, for_edit=True))
    return 204, None


@router.post("/{query_id}/fork", response={201: SavedQueryOut})
def fork(request: HttpRequest, query_id: int) -> tuple[int, SavedQueryOut]:
    """A copy owned by the caller, with the tags; its first version notes the origin."""
    user = acting_user(request)
    return 201, query_out(fork_query(user, _query(request, query_id)), user)


@router.post("/{query_id}/trash", response={204: None})
def trash(request: HttpRequest, query_id: int) -> tuple[int, None]:
    """Hide the query everywhere; `/untrash` brings it back."""
    trash_query(acting_user(request), _query(request, query_id, for_edit=True))
    return 204, None


@router.post("/{query_id}/untrash", response=SavedQueryOut)
def untrash(request: HttpRequest, query_id: int) -> SavedQueryOut:
    try:
        query = get_trashed_queries_for_user(request.user).get(pk=query_id)
    except SavedQuery.DoesNotExist as error:
        raise not_found(f"deleted query {query_id}") from error
    restore_query(acting_user(request), query)
    return query_out(query, acting_user(request))


@router.post("/{query_id}/versions/{number}/restore", response=SavedQueryOut)
def restore_version(request: HttpRequest, query_id: int, number: int) -> SavedQueryOut:
    """Version `number` becomes the newest version (the caller's draft of it is dropped)."""
    query = _query(request, query_id, for_edit=True)
    try:
        restore_query_version(acting_user(request), query, number)
    except QueryVersion.DoesNotExist as error:
        raise not_found(f"version {number} of query {query_id}") from error
    query.refresh_from_db()
    return query_out(query, acting_user(request))


@router.post("/{query_id}/runs", response={201: RunOut, 400: RunOut})
def run_query(request: HttpRequest, query_id: int, body: SavedQueryRunIn) -> tuple[int, RunOut]:
    query = _query(request, query_id)
    run = submit_run(
        acting_user(request),
        datasource=query.datasource,
        sql=query.sql,
        origin=Origin.API,
        parameters=body.parameters,
        max_age_s=body.max_age_s,
        saved_query=query,
    )
    return respond_with_run(run, created=True)


class OptionsOut(Schema):
    """`ready` with the values, `running` with the run to ask for again (`?run=`), or
    `failed` with the error."""

    status: str
    values: list[str] = []
    run: str | None = None
    error: str | None = None


@router.get("/{query_id}/options", response=OptionsOut)
def parameter_options(request: HttpRequest, query_id: int, run: str = "") -> OptionsOut:
    """The distinct values of the query's first column (from its cached result), for a
    dropdown parameter."""
    query = _query(request, query_id)
    options_run = _options_run(request, query, run)
    if options_run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        return OptionsOut(status="running", run=str(options_run.pk))
    if options_run.status != RunStatus.SUCCEEDED:
        return OptionsOut(status="failed", error=options_run.error_message or options_run.status)
    try:
        page = read_page(options_run.fingerprint, offset=0, limit=MAX_OPTIONS)
    except ResultMissing as error:
        return OptionsOut(status="failed", error=str(error))
    if page.num_columns == 0:
        return OptionsOut(status="ready")
    values = [str(v) for v in page.column(0).to_pylist() if v is not None]
    return OptionsOut(status="ready", values=list(dict.fromkeys(values)))


def _options_run(request: HttpRequest, query: SavedQuery, run_id: str) -> QueryRun:
    if run_id:
        try:
            return get_run_for_user(request.user, run_id)
        except (QueryRun.DoesNotExist, ValidationError):
            pass  # an unknown run: start over
    return submit_run(
        acting_user(request),
        datasource=query.datasource,
        sql=query.sql,
        origin=Origin.EDITOR,
        max_age_s=settings.RESULT_TTL_S,
        saved_query=query,
    )
