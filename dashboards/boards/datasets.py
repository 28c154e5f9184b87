"""A dashboard's datasets: the saved queries its widgets draw, each under the parameter
values the dashboard gives it when it opens (parameters bound to a filter take the
filter's default, fixed bindings their value). The wire endpoint shows them as views, so a
BI tool reads what a viewer of the dashboard sees.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dashboards.boards.access import get_dashboards_for_user
from dashboards.boards.filters import resolve_filter_values, widget_parameters
from dashboards.identity.access import AnyUser
from dashboards.models import Dashboard, DashboardFilter, DataSource, SavedQuery, Widget, WidgetKind


@dataclass(frozen=True)
class Dataset:
    """The rows `query` gives with `parameters` (those left out take the query's
    defaults); `title` names the widget that draws it, on a dashboard."""

    query: SavedQuery
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""


@dataclass(frozen=True)
class BoardDatasets:
    dashboard: Dashboard
    datasets: tuple[Dataset, ...]


def get_board_datasets_for_user(user: AnyUser, datasource: DataSource) -> list[BoardDatasets]:
    """The datasets on `datasource` of each dashboard the user may open, dashboards in
    creation order. A query that several widgets draw with the same values is one dataset,
    placed where its first widget (by creation) is; a dashboard without a dataset on
    `datasource` is left out."""
    visible = get_dashboards_for_user(user).values("pk")
    widgets = (
        Widget.objects.filter(
            dashboard__in=visible,
            kind=WidgetKind.VISUALIZATION,
            visualization__query__datasource=datasource,
        )
        .select_related("dashboard", "visualization__query__datasource")
        .order_by("dashboard_id", "pk")
    )
    by_board: dict[int, list[Widget]] = defaultdict(list)
    for widget in widgets:
        by_board[widget.dashboard_id].append(widget)
    filters: dict[int, list[DashboardFilter]] = defaultdict(list)
    for board_filter in DashboardFilter.objects.filter(dashboard_id__in=list(by_board)):
        filters[board_filter.dashboard_id].append(board_filter)
    return [
        BoardDatasets(board[0].dashboard, _datasets(board, filters[dashboard_id]))
        for dashboard_id, board in by_board.items()
    ]


def _datasets(widgets: list[Widget], filters: list[DashboardFilter]) -> tuple[Dataset, ...]:
    defaults = resolve_filter_values(filters, {})
    datasets: dict[tuple[int, str], Dataset] = {}
    for widget in widgets:
        assert widget.visualization is not None  # visualization widgets only
        query = widget.visualization.query
        parameters = widget_parameters(widget, defaults)
        key = (query.pk, json.dumps(parameters, sort_keys=True, default=str))
        datasets.setdefault(key, Dataset(query, parameters, widget.display_title))
    return tuple(datasets.values())
