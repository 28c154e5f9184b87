"""Visualizations in the REST API: a chart spec over a saved query, and the preview the
chart editor draws on every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import model_validator

from dashboards.api.errors import not_found
from dashboards.boards.access import get_visualization_for_user, get_visualizations_for_user
from dashboards.boards.figures import widget_figure
from dashboards.boards.visualizations import (
    create_visualization,
    delete_visualization,
    get_chart_source_for_user,
    save_query_from_run,
    update_visualization,
)
from dashboards.charts import parse_spec, propose_chart
from dashboards.identity.access import acting_user, get_saved_queries_for_user
from dashboards.models import ResultEntry, RunStatus, SavedQuery, Visualization
from dashboards.models.queries import ACTIVE_STATUSES
from dashboards.pipeline.result_store import result_schema

router = Router(tags=["visualizations"])


class VisualizationIn(Schema):
    """Over a saved query (`query_id`), or over a run of the caller (`run_id`): a run
    without a saved query gets one saved first, named `query_name`."""

    query_id: int | None = None
    run_id: UUID | None = None
    query_name: str = Field("", max_length=200)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    spec: dict[str, Any]

    @model_validator(mode="after")
    def one_source(self) -> VisualizationIn:
        if (self.query_id is None) == (self.run_id is None):
            raise ValueError("give either query_id or run_id")
        return self


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


def _get(request: HttpRequest, visualization_id: int, *, for_edit: bool = False) -> Visualization:
    """Raises PermissionDenied (403) when visible but not editable."""
    try:
        return get_visualization_for_user(request.user, visualization_id, for_edit=for_edit)
    except Visualization.DoesNotExist as error:
        raise not_found(f"visualization {visualization_id}") from error


def _query(request: HttpRequest, body: VisualizationIn) -> SavedQuery:
    user = acting_user(request)
    if body.run_id is not None:
        run, query = get_chart_source_for_user(user, run_id=body.run_id)
        return query or save_query_from_run(user, run, name=body.query_name)
    try:
        return get_saved_queries_for_user(user).get(pk=int(body.query_id or 0))
    except SavedQuery.DoesNotExist as error:
        raise HttpError(400, f"no query {body.query_id}") from error


@router.get("", response=list[VisualizationOut])
def list_visualizations(request: HttpRequest, query_id: int | None = None) -> list[Any]:
    visualizations = get_visualizations_for_user(request.user)
    if query_id is not None:
        visualizations = visualizations.filter(query_id=query_id)
    return [visualization_out(v) for v in visualizations]


@router.post("", response={201: VisualizationOut})
def create(request: HttpRequest, body: VisualizationIn) -> tuple[int, VisualizationOut]:
    visualization = create_visualization(
        acting_user(request),
        query=_query(request, body),
        name=body.name,
        spec=body.spec,
        description=body.description,
    )
    return 201, visualization_out(visualization)


@router.get("/{int:visualization_id}", response=VisualizationOut)
def read(request: HttpRequest, visualization_id: int) -> VisualizationOut:
    return visualization_out(_get(request, visualization_id))


@router.patch("/{int:visualization_id}", response=VisualizationOut)
def patch(request: HttpRequest, visualization_id: int, body: VisualizationPatch) -> Any:
    visualization = _get(request, visualization_id, for_edit=True)
    changes = body.dict(exclude_none=True)
    return visualization_out(
        update_visualization(acting_user(request), visualization, changes=changes)
    )


@router.delete("/{int:visualization_id}", response={204: None})
def delete(request: HttpRequest, visualization_id: int) -> tuple[int, None]:
    delete_visualization(acting_user(request), _get(request, visualization_id, for_edit=True))
    return 204, None


class ChartSourceIn(Schema):
    """A run of the caller, or a saved query (its latest result)."""

    run: UUID | None = None
    query: int | None = None

    @model_validator(mode="after")
    def one_source(self) -> ChartSourceIn:
        if (self.run is None) == (self.query is None):
            raise ValueError("give either a run or a query")
        return self


class PreviewIn(Schema):
    source: ChartSourceIn
    spec: dict[str, Any] | None = None  # None: propose one that fits the result


class PreviewOut(Schema):
    """`running` (ask again with `source`, which then names the run) or `ok` with the
    figure drawn from the cached result."""

    status: str
    source: ChartSourceIn
    figure: dict[str, Any] | None = None
    spec: dict[str, Any] | None = None
    columns: list[dict[str, Any]] = []
    row_count: int | None = None
    refreshed_at: datetime | None = None


@router.post("/preview", response=PreviewOut)
def preview(request: HttpRequest, body: PreviewIn) -> PreviewOut:
    """Draw `spec` over the source's result. A spec that does not fit the result answers
    400 with the field at fault; a failed run, 409 with its error."""
    run, _ = get_chart_source_for_user(
        acting_user(request), run_id=body.source.run, query_id=body.source.query
    )
    source = ChartSourceIn(run=run.pk)
    if run.status in ACTIVE_STATUSES:
        return PreviewOut(status="running", source=source)
    if run.status != RunStatus.SUCCEEDED:
        raise HttpError(409, run.error_message or str(run.status))
    entry = ResultEntry.objects.filter(pk=run.fingerprint).first()
    if entry is None:
        raise HttpError(409, "the result is no longer stored; run the query again")
    if body.spec is None:
        fields = result_schema(run.fingerprint)
        spec = propose_chart([(f.name, f.type) for f in fields], entry.row_count)
    else:
        spec = parse_spec(body.spec)
    spec_json = spec.model_dump(mode="json", exclude_defaults=True)
    return PreviewOut(
        status="ok",
        source=source,
        figure=widget_figure(spec_json, run.fingerprint, []),
        spec=spec_json,
        columns=entry.columns,
        row_count=entry.row_count,
        refreshed_at=entry.created_at,
    )
