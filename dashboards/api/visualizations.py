"""Visualizations in the REST API: a chart spec over a saved query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from dashboards.api.auth import acting_user
from dashboards.api.errors import not_found
from dashboards.boards.access import get_visualization_for_user, get_visualizations_for_user
from dashboards.boards.visualizations import (
    create_visualization,
    delete_visualization,
    update_visualization,
)
from dashboards.identity.access import get_saved_queries_for_user
from dashboards.models import SavedQuery, Visualization

router = Router(tags=["visualizations"])


class VisualizationIn(Schema):
    query_id: int
    name: str
    description: str = ""
    spec: dict[str, Any]


class VisualizationPatch(Schema):
    name: str | None = None
    description: str | None = None
    spec: dict[str, Any] | None = None


class VisualizationOut(Schema):
    id: int
    uid: str
    query_id: int
    name: str
    description: str
    spec: dict[str, Any]
    owner: str
    created_at: datetime
    updated_at: datetime


def visualization_out(visualization: Visualization) -> VisualizationOut:
    return VisualizationOut(
        id=visualization.pk,
        uid=str(visualization.uid),
        query_id=visualization.query_id,
        name=visualization.name,
        description=visualization.description,
        spec=visualization.spec,
        owner=visualization.owner.get_username(),
        created_at=visualization.created_at,
        updated_at=visualization.updated_at,
    )


def bad_request(error: ValidationError) -> HttpError:
    return HttpError(400, "; ".join(error.messages))


def _get(request: HttpRequest, visualization_id: int, *, for_edit: bool = False) -> Visualization:
    try:
        return get_visualization_for_user(request.user, visualization_id, for_edit=for_edit)
    except Visualization.DoesNotExist as error:
        raise not_found(f"visualization {visualization_id}") from error
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error


@router.get("", response=list[VisualizationOut])
def list_visualizations(request: HttpRequest, query_id: int | None = None) -> list[Any]:
    visualizations = get_visualizations_for_user(request.user)
    if query_id is not None:
        visualizations = visualizations.filter(query_id=query_id)
    return [visualization_out(v) for v in visualizations]


@router.post("", response={201: VisualizationOut})
def create(request: HttpRequest, body: VisualizationIn) -> tuple[int, VisualizationOut]:
    try:
        query = get_saved_queries_for_user(request.user).get(pk=body.query_id)
        visualization = create_visualization(
            acting_user(request),
            query=query,
            name=body.name,
            spec=body.spec,
            description=body.description,
        )
    except SavedQuery.DoesNotExist as error:
        raise HttpError(400, f"no query {body.query_id}") from error
    except ValidationError as error:
        raise bad_request(error) from error
    return 201, visualization_out(visualization)


@router.get("/{visualization_id}", response=VisualizationOut)
def read(request: HttpRequest, visualization_id: int) -> VisualizationOut:
    return visualization_out(_get(request, visualization_id))


@router.patch("/{visualization_id}", response=VisualizationOut)
def patch(request: HttpRequest, visualization_id: int, body: VisualizationPatch) -> Any:
    visualization = _get(request, visualization_id, for_edit=True)
    try:
        changes = body.dict(exclude_none=True)
        return visualization_out(
            update_visualization(acting_user(request), visualization, changes=changes)
        )
    except ValidationError as error:
        raise bad_request(error) from error


@router.delete("/{visualization_id}", response={204: None})
def delete(request: HttpRequest, visualization_id: int) -> tuple[int, None]:
    delete_visualization(acting_user(request), _get(request, visualization_id, for_edit=True))
    return 204, None
