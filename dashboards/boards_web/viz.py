"""The visualization editor: from a run's result or a saved query, propose a chart, preview
every change on the server, save it, and put it on a dashboard."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.sql.params import infer_spec
from dashboards.boards.access import (
    can_edit_visualization,
    get_dashboard_for_user,
    get_dashboards_for_user,
    get_visualization_for_user,
)
from dashboards.boards.dashboards import add_widget
from dashboards.boards.figures import widget_figure
from dashboards.boards.visualizations import (
    create_visualization,
    delete_visualization,
    update_visualization,
)
from dashboards.boards_web.context import plotly_settings
from dashboards.boards_web.errors import json_errors
from dashboards.boards_web.pages import acting_user
from dashboards.charts import ChartError, ChartType, parse_spec, propose_chart
from dashboards.charts.spec import Aggregation
from dashboards.identity.access import get_run_for_user, get_saved_queries_for_user
from dashboards.library.queries import create_saved_query
from dashboards.models import QueryRun, ResultEntry, RunStatus, SavedQuery, Visualization
from dashboards.models.queries import ACTIVE_STATUSES
from dashboards.pipeline.governance import Origin
from dashboards.pipeline.result_store import ResultMissing, result_schema
from dashboards.pipeline.runs import submit_run
from dashboards.web.jsonio import read_json

QUERY_RESULT_MAX_AGE_S = 3600


class SourceIn(BaseModel):
    """The result a chart is drawn from: a run the user made, or a saved query (its
    latest result, run with its default parameters when there is none)."""

    model_config = ConfigDict(extra="forbid")

    run: UUID | None = None
    query: int | None = None

    @model_validator(mode="after")
    def one_source(self) -> SourceIn:
        if (self.run is None) == (self.query is None):
            raise ValueError("give either a run or a query")
        return self


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: SourceIn
    spec: dict[str, Any] | None = None  # None: propose one


class SaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    source: SourceIn
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    spec: dict[str, Any]
    query_name: str = Field(default="", max_length=200)  # names the query saved from a run
    dashboard: int | None = None  # also put the visualization on this dashboard


def _source_run(user: User, source: SourceIn) -> tuple[QueryRun, SavedQuery | None]:
    """The ended run behind `source`. Raises ObjectDoesNotExist when hidden."""
    if source.run is not None:
        run = get_run_for_user(user, str(source.run))
        return run, run.saved_query
    if source.query is None:  # one_source() lets no other case through
        raise SavedQuery.DoesNotExist("no source")
    query = get_saved_queries_for_user(user).get(pk=source.query)
    run = submit_run(
        user,
        datasource=query.datasource,
        sql=query.sql,
        origin=Origin.WIDGET,
        max_age_s=QUERY_RESULT_MAX_AGE_S,
        saved_query=query,
    )
    return run, query


def _columns(run: QueryRun) -> list[dict[str, str]]:
    entry = ResultEntry.objects.filter(pk=run.fingerprint).first()
    return entry.columns if entry else []


@login_required
@require_POST
@json_errors
def preview(request: HttpRequest) -> HttpResponse:
    """{source, spec} → {figure, spec, columns, row_count} once the result is there;
    {status: "running"} while it runs (ask again); {error, field} when it cannot be drawn."""
    body = PreviewIn.model_validate(read_json(request))
    run, _ = _source_run(acting_user(request), body.source)
    if run.status in ACTIVE_STATUSES:
        return JsonResponse({"status": "running", "source": {"run": str(run.pk)}})
    if run.status != RunStatus.SUCCEEDED:
        return JsonResponse({"error": run.error_message or str(run.status)}, status=409)
    try:
        if body.spec is None:
            schema = result_schema(run.fingerprint)
            entry = ResultEntry.objects.get(pk=run.fingerprint)
            spec = propose_chart([(f.name, f.type) for f in schema], entry.row_count)
        else:
            spec = parse_spec(body.spec)
        spec_json = spec.model_dump(mode="json", exclude_defaults=True)
        figure = widget_figure(spec_json, run.fingerprint, [])
    except ChartError as error:
        return JsonResponse({"error": error.message, "field": error.field}, status=400)
    except ResultMissing as error:
        return JsonResponse({"error": str(error)}, status=409)
    entry = ResultEntry.objects.get(pk=run.fingerprint)
    return JsonResponse(
        {
            "status": "ok",
            "figure": figure,
            "spec": spec_json,
            "columns": entry.columns,
            "row_count": entry.row_count,
            "refreshed_at": entry.created_at,
        }
    )


def _parameter_spec(name: str, value: Any) -> dict[str, Any]:
    spec = infer_spec(name, value)
    return {
        "name": name,
        "type": str(spec.type),
        "options": list(spec.options),
        "is_multi": spec.is_multi,
        "default": value,
    }


def _query_from_run(user: User, run: QueryRun, name: str) -> SavedQuery:
    parameters = [_parameter_spec(n, v) for n, v in run.parameters.items()]
    return create_saved_query(
        user,
        name=name or f"Query for a chart ({run.created_at:%Y-%m-%d %H:%M})",
        sql=run.sql,
        datasource=run.datasource,
        parameters=parameters,
    )


@login_required
@require_POST
@json_errors
def save(request: HttpRequest) -> HttpResponse:
    """Create (no id) or update the visualization; a run without a saved query gets one
    saved first. With `dashboard`, the visualization is also added to that dashboard."""
    body = SaveIn.model_validate(read_json(request))
    user = acting_user(request)
    run, query = _source_run(user, body.source)
    spec = parse_spec(body.spec).model_dump(mode="json", exclude_defaults=True)
    if body.id is not None:
        visualization = get_visualization_for_user(user, body.id, for_edit=True)
        visualization = update_visualization(
            user,
            visualization,
            changes={"name": body.name, "description": body.description, "spec": spec},
        )
    else:
        if query is None:
            query = _query_from_run(user, run, body.query_name)
        visualization = create_visualization(
            user, query=query, name=body.name, spec=spec, description=body.description
        )
    answer: dict[str, Any] = {
        "id": visualization.pk,
        "url": reverse("boards:visualization", args=[visualization.pk]),
    }
    if body.dashboard is not None:
        dashboard = get_dashboard_for_user(user, body.dashboard, for_edit=True)
        add_widget(user, dashboard, visualization=visualization)
        answer["dashboard_url"] = reverse("boards:dashboard", args=[dashboard.pk])
    return JsonResponse(answer)


def _editor(
    request: HttpRequest,
    *,
    source: dict[str, Any],
    visualization: Visualization | None,
    title: str,
) -> HttpResponse:
    user = acting_user(request)
    config = {
        "source": source,
        "visualization": (
            {
                "id": visualization.pk,
                "name": visualization.name,
                "description": visualization.description,
                "spec": visualization.spec,
            }
            if visualization
            else None
        ),
        "can_save": visualization is None or can_edit_visualization(user, visualization),
        "chart_types": [str(t) for t in ChartType],
        "aggregations": [str(a) for a in Aggregation],
        "dashboards": [{"id": d.pk, "name": d.name} for d in get_dashboards_for_user(user)[:500]],
        "urls": {"preview": reverse("boards:viz_preview"), "save": reverse("boards:viz_save")},
        "plotly": plotly_settings(),
    }
    return render(
        request,
        "boards/visualization.html",
        {"nav": "dashboards", "config": config, "title": title},
    )


@login_required
@require_GET
def new_visualization(request: HttpRequest) -> HttpResponse:
    """`?run=<id>` (a result in the editor) or `?query=<id>` (a saved query)."""
    try:
        source = SourceIn.model_validate(
            {k: request.GET[k] for k in ("run", "query") if request.GET.get(k)}
        )
        run, query = _source_run(acting_user(request), source)
    except (ValueError, ValidationError, QueryRun.DoesNotExist, SavedQuery.DoesNotExist) as error:
        raise Http404("no such result") from error
    name = query.name if query else "New chart"
    return _editor(
        request,
        source={"run": str(run.pk)} if query is None else {"query": query.pk},
        visualization=None,
        title=f"New chart · {name}",
    )


@login_required
@require_GET
def visualization(request: HttpRequest, visualization_id: int) -> HttpResponse:
    try:
        found = get_visualization_for_user(request.user, visualization_id)
    except Visualization.DoesNotExist as error:
        raise Http404("no such visualization") from error
    return _editor(request, source={"query": found.query_id}, visualization=found, title=found.name)


@login_required
@require_POST
@json_errors
def delete(request: HttpRequest, visualization_id: int) -> HttpResponse:
    found = get_visualization_for_user(request.user, visualization_id, for_edit=True)
    delete_visualization(acting_user(request), found)
    return JsonResponse({"redirect": reverse("boards:list")})
