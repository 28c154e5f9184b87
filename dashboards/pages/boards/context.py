"""What the dashboard template and its JS island get, for every kind of viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.templatetags.static import static
from django.utils.safestring import SafeString

from dashboards.boards.dashboards import query_parameter_names
from dashboards.charts.geo import plotly_config
from dashboards.models import Dashboard, Widget, WidgetKind
from dashboards.pages.boards.markdown import render_markdown

AUTO_REFRESH_CHOICES_S = (0, 30, 60, 300, 900, 3600)


@dataclass(frozen=True)
class WidgetBox:
    widget: Widget
    html: SafeString | None  # a text widget's rendered markdown


def widget_boxes(dashboard: Dashboard) -> list[WidgetBox]:
    widgets = dashboard.widgets.select_related("visualization__query")
    return [
        WidgetBox(w, render_markdown(w.text) if w.kind == WidgetKind.TEXT else None)
        for w in widgets
    ]


def plotly_settings() -> dict[str, Any]:
    """The plotly.js config every chart on our pages gets: map shapes from this site."""
    return {
        **plotly_config(static("dist/")),
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"],
    }


def filter_configs(dashboard: Dashboard, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "label": f.label or f.name,
            "type": f.type,
            "options": f.options,
            "is_multi": f.is_multi,
            "default": f.default,
            "value": values.get(f.name),
        }
        for f in dashboard.filters.all()
    ]


def widget_configs(boxes: list[WidgetBox], *, can_edit: bool) -> dict[str, Any]:
    configs: dict[str, Any] = {}
    for box in boxes:
        widget = box.widget
        entry: dict[str, Any] = {"kind": widget.kind, "title": widget.display_title}
        if widget.visualization is not None and can_edit:
            entry["parameters"] = query_parameter_names(widget.visualization)
            entry["bindings"] = widget.parameter_bindings
            entry["visualization"] = widget.visualization.pk
        if widget.kind == WidgetKind.TEXT and can_edit:
            entry["text"] = widget.text
        configs[str(widget.pk)] = entry
    return configs


def board_config(
    dashboard: Dashboard,
    *,
    mode: str,
    urls: dict[str, str],
    filter_values: dict[str, Any],
    boxes: list[WidgetBox],
    can_edit: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON the page's island reads (`json_script`)."""
    return {
        "mode": mode,
        "dashboard": {"id": dashboard.pk, "name": dashboard.name},
        "urls": urls,
        "can_edit": can_edit,
        "refresh_interval_s": dashboard.refresh_interval_s,
        "refresh_choices_s": list(AUTO_REFRESH_CHOICES_S),
        "filters": filter_configs(dashboard, filter_values),
        "widgets": widget_configs(boxes, can_edit=can_edit),
        "plotly": plotly_settings(),
        **(extra or {}),
    }
