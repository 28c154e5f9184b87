"""Layout pieces every builder shares: axes, legend, colours, and what the builder did.

`layout.meta.dashwire` carries facts about how the figure was made (rows read, whether it
was downsampled, how many categories went into "Other"), for the page to show beside it.
"""

from __future__ import annotations

from typing import Any

from dashboards.charts.columns import TEMPORAL_KINDS, ColumnKind
from dashboards.charts.spec import Axis, ChartSpec, Legend, LegendPosition

Figure = dict[str, Any]
Trace = dict[str, Any]
Layout = dict[str, Any]

_LEGEND_PLACES: dict[LegendPosition, dict[str, Any]] = {
    LegendPosition.RIGHT: {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1},
    LegendPosition.LEFT: {"orientation": "v", "x": -0.1, "xanchor": "right", "y": 1},
    LegendPosition.TOP: {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    LegendPosition.BOTTOM: {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top"},
}


def figure(traces: list[Trace], layout: Layout) -> Figure:
    return {"data": traces, "layout": layout}


def base_layout(spec: ChartSpec, **facts: Any) -> Layout:
    """Legend, colour way and `meta.dashwire` facts: what every chart type has."""
    layout: Layout = {
        "showlegend": spec.options.legend.is_shown,
        "legend": legend_layout(spec.options.legend),
        "meta": {"dashwire": {"type": str(spec.type), **facts}},
    }
    if spec.options.colours.palette:
        layout["colorway"] = list(spec.options.colours.palette)
    return layout


def legend_layout(legend: Legend) -> dict[str, Any]:
    return dict(_LEGEND_PLACES[legend.position])


def axis_layout(
    axis: Axis, *, default_title: str | None, kind: ColumnKind | None, spec: ChartSpec
) -> dict[str, Any]:
    """One cartesian axis: title, scale, and tick format for the kind of values it shows.

    Temporal axes take `options.date_format`, numeric ones `options.number_format`.
    """
    layout: dict[str, Any] = {}
    title = axis.title if axis.title is not None else default_title
    if title:
        layout["title"] = {"text": title}
    if axis.scale is not None:
        layout["type"] = str(axis.scale)
    tick_format = _tick_format(kind, spec)
    if tick_format:
        layout["tickformat"] = tick_format
        layout["hoverformat"] = tick_format
    return layout


def _tick_format(kind: ColumnKind | None, spec: ChartSpec) -> str | None:
    if kind in TEMPORAL_KINDS:
        return spec.options.date_format
    if kind is ColumnKind.NUMBER:
        return spec.options.number_format
    return None


def paint_series(traces: list[Trace], spec: ChartSpec) -> list[Trace]:
    """Traces whose name has a colour in `options.colours.by_series` get that colour."""
    colours = spec.options.colours.by_series
    for trace in traces:
        colour = colours.get(str(trace.get("name")))
        if colour is not None:
            trace.setdefault("marker", {})["color"] = colour
            if trace.get("type") == "scatter":
                trace.setdefault("line", {})["color"] = colour
    return traces


def trace_name(measure: str, series: Any, *, has_many_measures: bool) -> str:
    """A legend entry: the series value, prefixed by the measure when there are several."""
    if series is None:
        return measure
    return f"{measure} · {series}" if has_many_measures else str(series)
