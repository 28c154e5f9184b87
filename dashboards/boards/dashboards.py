"""Service functions for dashboards, their filters and widgets. Each owns its transaction,
validates (`full_clean`) and writes an audit row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from connectors.sql.params import find_parameters
from dashboards.audit.changes import audit_change
from dashboards.boards.errors import FilterValueError
from dashboards.boards.filters import check_filter_value
from dashboards.boards.partial_update import apply_changes
from dashboards.boards.schemas import FilterDefinition, WidgetPosition
from dashboards.models import Dashboard, DashboardFilter, Visualization, Widget, WidgetKind

DASHBOARD_FIELDS = frozenset({"name", "description", "refresh_interval_s", "max_age_s"})
WIDGET_FIELDS = frozenset({"title", "text", "parameter_bindings", "x", "y", "width", "height"})
DEFAULT_SIZE: dict[WidgetKind, tuple[int, int]] = {
    WidgetKind.VISUALIZATION: (6, 6),
    WidgetKind.TEXT: (12, 2),
}


def create_dashboard(
    user: User,
    *,
    name: str,
    description: str = "",
    refresh_interval_s: int = 0,
    max_age_s: int = 3600,
    filters: Sequence[FilterDefinition] = (),
) -> Dashboard:
    with transaction.atomic():
        dashboard = Dashboard(
            name=name,
            description=description,
            owner=user,
            refresh_interval_s=refresh_interval_s,
            max_age_s=max_age_s,
        )
        dashboard.full_clean()
        dashboard.save()
        _replace_filters(dashboard, filters)
        audit_change(user, "dashboard.create", dashboard_id=dashboard.pk, name=name)
    return dashboard


def update_dashboard(user: User, dashboard: Dashboard, *, changes: Mapping[str, Any]) -> Dashboard:
    """Apply `changes` (keys of DASHBOARD_FIELDS; others raise KeyError)."""
    apply_changes(dashboard, changes, DASHBOARD_FIELDS)
    with transaction.atomic():
        dashboard.full_clean()
        dashboard.save()
        audit_change(user, "dashboard.update", dashboard_id=dashboard.pk, fields=sorted(changes))
    return dashboard


def delete_dashboard(user: User, dashboard: Dashboard) -> None:
    with transaction.atomic():
        audit_change(user, "dashboard.delete", dashboard_id=dashboard.pk, name=dashboard.name)
        dashboard.delete()


def set_dashboard_filters(
    user: User, dashboard: Dashboard, *, filters: Sequence[FilterDefinition]
) -> list[DashboardFilter]:
    """Replace the dashboard's filters by `filters`, in that order. Widget bindings to a
    filter that is gone are dropped, so those parameters fall back to the query's default.
    Raises ValidationError for a bad definition or a default the filter does not admit."""
    with transaction.atomic():
        created = _replace_filters(dashboard, filters)
        names = {board_filter.name for board_filter in created}
        for widget in dashboard.widgets.all():
            kept = {
                parameter: binding
                for parameter, binding in widget.parameter_bindings.items()
                if "value" in binding or binding["filter"] in names
            }
            if kept != widget.parameter_bindings:
                widget.parameter_bindings = kept
                widget.save(update_fields=["parameter_bindings"])
        audit_change(user, "dashboard.filters", dashboard_id=dashboard.pk, names=sorted(names))
    return created


def _replace_filters(
    dashboard: Dashboard, filters: Sequence[FilterDefinition]
) -> list[DashboardFilter]:
    dashboard.filters.all().delete()
    created = []
    for position, definition in enumerate(filters):
        board_filter = DashboardFilter(
            dashboard=dashboard, position=position, **definition.model_dump()
        )
        board_filter.full_clean()
        if board_filter.default is not None:
            try:
                check_filter_value(board_filter, board_filter.default)
            except FilterValueError as error:
                raise ValidationError({"default": error.message}) from error
        board_filter.save()
        created.append(board_filter)
    return created


def default_bindings(dashboard: Dashboard, visualization: Visualization) -> dict[str, Any]:
    """Each parameter of the visualization's query bound to the dashboard filter of the
    same name, when there is one."""
    filter_names = set(dashboard.filters.values_list("name", flat=True))
    return {
        parameter: {"filter": parameter}
        for parameter in query_parameter_names(visualization)
        if parameter in filter_names
    }


def query_parameter_names(visualization: Visualization) -> list[str]:
    declared = [spec["name"] for spec in visualization.query.parameters]
    return list(dict.fromkeys([*declared, *find_parameters(visualization.query.sql)]))


def _check_binding_targets(widget: Widget) -> None:
    if widget.visualization is None:
        if widget.parameter_bindings:
            raise ValidationError({"parameter_bindings": "a text widget has no parameters"})
        return
    parameters = set(query_parameter_names(widget.visualization))
    filters = set(widget.dashboard.filters.values_list("name", flat=True))
    for parameter, binding in widget.parameter_bindings.items():
        if parameter not in parameters:
            raise ValidationError({"parameter_bindings": f"the query has no parameter {parameter}"})
        if "filter" in binding and binding["filter"] not in filters:
            raise ValidationError(
                {"parameter_bindings": f"the dashboard has no filter {binding['filter']}"}
            )


def _next_free_row(dashboard: Dashboard) -> int:
    bottom = dashboard.widgets.aggregate(bottom=Max(F("y") + F("height")))["bottom"]
    return int(bottom or 0)


def add_widget(
    user: User,
    dashboard: Dashboard,
    *,
    visualization: Visualization | None = None,
    text: str = "",
    title: str = "",
    position: WidgetPosition | None = None,
    parameter_bindings: dict[str, Any] | None = None,
) -> Widget:
    """A visualization widget when `visualization` is given, else a text widget. Without a
    position it goes below the others; without bindings, its query's parameters bind to
    the dashboard filters of the same names."""
    kind = WidgetKind.VISUALIZATION if visualization is not None else WidgetKind.TEXT
    width, height = DEFAULT_SIZE[kind]
    place = position or WidgetPosition(x=0, y=_next_free_row(dashboard), width=width, height=height)
    with transaction.atomic():
        widget = Widget(
            dashboard=dashboard,
            kind=kind,
            visualization=visualization,
            text=text,
            title=title,
            x=place.x,
            y=place.y,
            width=place.width,
            height=place.height,
            parameter_bindings=(
                parameter_bindings
                if parameter_bindings is not None
                else (default_bindings(dashboard, visualization) if visualization else {})
            ),
        )
        widget.full_clean()
        _check_binding_targets(widget)
        widget.save()
        Dashboard.objects.filter(pk=dashboard.pk).update(updated_at=widget.created_at)
        audit_change(user, "widget.add", dashboard_id=dashboard.pk, widget_id=widget.pk)
    return widget


def update_widget(user: User, widget: Widget, *, changes: Mapping[str, Any]) -> Widget:
    """Apply `changes` (keys of WIDGET_FIELDS; others raise KeyError)."""
    apply_changes(widget, changes, WIDGET_FIELDS)
    with transaction.atomic():
        widget.full_clean()
        _check_binding_targets(widget)
        widget.save()
        audit_change(
            user,
            "widget.update",
            dashboard_id=widget.dashboard_id,
            widget_id=widget.pk,
            fields=sorted(changes),
        )
    return widget


def remove_widget(user: User, widget: Widget) -> None:
    with transaction.atomic():
        audit_change(user, "widget.remove", dashboard_id=widget.dashboard_id, widget_id=widget.pk)
        widget.delete()


def save_layout(
    user: User, dashboard: Dashboard, *, positions: Mapping[int, WidgetPosition]
) -> list[Widget]:
    """Move and resize widgets of the dashboard at once (the grid sends every moved one).
    Raises ValidationError naming an id that is not a widget of this dashboard."""
    with transaction.atomic():
        widgets = {widget.pk: widget for widget in dashboard.widgets.select_for_update()}
        missing = set(positions) - set(widgets)
        if missing:
            raise ValidationError(f"no widget {sorted(missing)[0]} on this dashboard")
        for widget_id, place in positions.items():
            widget = widgets[widget_id]
            widget.x, widget.y = place.x, place.y
            widget.width, widget.height = place.width, place.height
            widget.full_clean()
            widget.save(update_fields=["x", "y", "width", "height"])
        audit_change(user, "dashboard.layout", dashboard_id=dashboard.pk, widgets=sorted(positions))
    return sorted(widgets.values(), key=lambda w: (w.y, w.x, w.pk))
