from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from dashboards.api.auth import acting_user
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
    can_edit_saved_query,
    get_datasource_for_user,
    get_saved_queries_for_user,
)
from dashboards.library.queries import create_saved_query, delete_saved_query, update_saved_query
from dashboards.models import DataSource, SavedQuery
from dashboards.pipeline.governance import Origin
from dashboards.pipeline.runs import submit_run

router = Router(tags=["queries"])


def query_out(query: SavedQuery) -> SavedQueryOut:
    return SavedQueryOut(
        id=query.pk,
        name=query.name,
        description=query.description,
        sql=query.sql,
        datasource=query.datasource.name,
        parameters=query.parameters,
        owner=query.owner.get_username(),
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


@router.get("", response=list[SavedQueryOut])
def list_queries(
    request: HttpRequest, search: str = "", datasource: str = ""
) -> list[SavedQueryOut]:
    queries = get_saved_queries_for_user(request.user)
    if search:
        queries = queries.filter(name__icontains=search)
    if datasource:
        queries = queries.filter(datasource__name=datasource)
    return [query_out(q) for q in queries]


@router.post("", response={201: SavedQueryOut})
def create_query(request: HttpRequest, body: SavedQueryIn) -> tuple[int, SavedQueryOut]:
    query = create_saved_query(
        acting_user(request),
        name=body.name,
        sql=body.sql,
        datasource=_datasource(request, body.datasource),
        description=body.description,
        parameters=[spec.dict() for spec in body.parameters],
    )
    return 201, query_out(query)


@router.get("/{query_id}", response=SavedQueryOut)
def get_query(request: HttpRequest, query_id: int) -> SavedQueryOut:
    return query_out(_query(request, query_id))


@router.patch("/{query_id}", response=SavedQueryOut)
def patch_query(request: HttpRequest, query_id: int, body: SavedQueryPatch) -> SavedQueryOut:
    query = _query(request, query_id, for_edit=True)
    changes: dict[str, Any] = body.dict(exclude_unset=True, exclude_none=True)
    if "datasource" in changes:
        changes["datasource"] = _datasource(request, changes["datasource"])
    if "parameters" in changes:
        changes["parameters"] = [dict(spec) for spec in changes["parameters"]]
    return query_out(update_saved_query(acting_user(request), query, changes=changes))


@router.put("/{query_id}", response=SavedQueryOut)
def put_query(request: HttpRequest, query_id: int, body: SavedQueryIn) -> SavedQueryOut:
    query = _query(request, query_id, for_edit=True)
    changes = body.dict()
    changes["datasource"] = _datasource(request, body.datasource)
    return query_out(update_saved_query(acting_user(request), query, changes=changes))


@router.delete("/{query_id}", response={204: None})
def delete_query(request: HttpRequest, query_id: int) -> tuple[int, None]:
    delete_saved_query(acting_user(request), _query(request, query_id, for_edit=True))
    return 204, None


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
