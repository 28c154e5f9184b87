"""The visualization editor page: from a run's result or a saved query, the island proposes
a chart, previews every change and saves it through the JSON API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboards.boards.access import (
    can_edit_visualization,
    get_dashboards_for_user,
    get_visualization_for_user,
)
from dashboards.boards.visualizations import get_chart_source_for_user
from dashboards.charts import ChartType
from dashboards.charts.spec import Aggregation
from dashboards.identity.access import acting_user
from dashboards.models import Visualization
from dashboards.pages.boards.context import plotly_settings


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
        "urls": {
            "preview": "/api/visualizations/preview",
            "visualizations": "/api/visualizations",
            "visualization_api": "/api/visualizations/__id__",
            "widgets": "/api/dashboards/__id__/widgets",
            "visualization": reverse("boards:visualization", args=[0]).replace("/0/", "/__id__/"),
            "dashboard": reverse("boards:dashboard", args=[0]).replace("/0/", "/__id__/"),
        },
        "plotly": plotly_settings(),
    }
    return render(
        request,
        "boards/visualization.html",
        {"nav": "dashboards", "config": config, "title": title},
    )


def _parse_run_id(value: str) -> UUID | None:
    return UUID(value) if value else None


@login_required
@require_GET
def new_visualization(request: HttpRequest) -> HttpResponse:
    """`?run=<id>` (a result in the editor) or `?query=<id>` (a saved query)."""
    try:
        run_id = _parse_run_id(request.GET.get("run", ""))
        query_id = int(request.GET["query"]) if request.GET.get("query") else None
        if (run_id is None) == (query_id is None):
            raise ValueError("give either a run or a query")
        run, query = get_chart_source_for_user(
            acting_user(request), run_id=run_id, query_id=query_id
        )
    except (ValueError, ValidationError, ObjectDoesNotExist) as error:
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
