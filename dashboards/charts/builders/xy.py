"""Line, area, scatter and bubble charts: y against a continuous x."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from dashboards.charts.columns import ColumnKind
from dashboards.charts.jsonable import column
from dashboards.charts.layout import (
    Figure,
    Layout,
    Trace,
    axis_layout,
    base_layout,
    figure,
    paint_series,
    trace_name,
)
from dashboards.charts.points import NULL_SERIES, Points, read_points, read_trend_lines
from dashboards.charts.source import Source
from dashboards.charts.spec import ChartSpec, ChartType, Stacking
from dashboards.charts.sql import quote_ident

_MODES: dict[ChartType, str] = {
    ChartType.LINE: "lines",
    ChartType.AREA: "lines",
    ChartType.SCATTER: "markers",
}
# Bubble areas scale so the largest bubble is about this many pixels across.
_BUBBLE_MAX_PX = 40


def _measure_names(spec: ChartSpec) -> list[str]:
    return list(spec.encodings.y) or ["count"]


def _xy_layout(spec: ChartSpec, source: Source, **facts: Any) -> Layout:
    y_names = _measure_names(spec)
    layout = base_layout(spec, **facts)
    layout["xaxis"] = axis_layout(
        spec.options.x_axis,
        default_title=spec.encodings.x,
        kind=source.kind(spec.encodings.x or ""),
        spec=spec,
    )
    layout["yaxis"] = axis_layout(
        spec.options.y_axis,
        default_title=y_names[0] if len(y_names) == 1 else None,
        kind=ColumnKind.NUMBER,
        spec=spec,
    )
    return layout


def _area_style(spec: ChartSpec, index: int) -> dict[str, Any]:
    if spec.options.stacking is Stacking.NONE:
        return {"fill": "tozeroy"}
    style: dict[str, Any] = {"stackgroup": "one"}
    if spec.options.stacking is Stacking.PERCENT and index == 0:
        style["groupnorm"] = "percent"
    return style


def _point_traces(spec: ChartSpec, points: Points) -> list[Trace]:
    names = _measure_names(spec)
    has_series = spec.encodings.series is not None
    traces: list[Trace] = []
    for index, points_trace in enumerate(points.traces):
        trace: Trace = {
            "type": "scatter",
            "mode": _MODES[spec.type],
            "name": trace_name(
                names[points_trace.measure],
                points_trace.series if has_series else None,
                has_many_measures=len(names) > 1,
            ),
            "x": column(points_trace.x),
            "y": column(points_trace.y),
        }
        if spec.type is ChartType.AREA:
            trace.update(_area_style(spec, index))
        traces.append(trace)
    return traces


def _trend_traces(spec: ChartSpec, source: Source) -> list[Trace]:
    names = _measure_names(spec)
    has_series = spec.encodings.series is not None
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "name": trace_name(
                names[line.measure],
                line.series if has_series else None,
                has_many_measures=len(names) > 1,
            )
            + " (trend)",
            "x": column(line.x),
            "y": column(line.y),
            "line": {"dash": "dash", "width": 1},
            "hoverinfo": "skip",
        }
        for line in read_trend_lines(spec, source)
    ]


def build_xy(spec: ChartSpec, source: Source) -> Figure:
    """Line, area or scatter traces, one per measure and series value.

    More points than `source.max_points` are downsampled (see `dashboards.charts.points`);
    `options.has_trend_line` adds a dashed least-squares line per trace.
    """
    points = read_points(spec, source)
    traces = _point_traces(spec, points)
    if spec.options.has_trend_line:
        traces += _trend_traces(spec, source)
    layout = _xy_layout(
        spec,
        source,
        source_points=points.source_points,
        is_downsampled=points.is_downsampled,
        omitted_series=points.omitted_series,
    )
    return figure(paint_series(traces, spec), layout)


def build_bubble(spec: ChartSpec, source: Source) -> Figure:
    """Scatter markers sized by `encodings.size` (area-proportional), a trace per series.

    More rows than `source.max_points` are sampled (a fixed seed, so the figure is stable):
    bubbles cannot be merged the way line points can.
    """
    x, y = quote_ident(spec.encodings.x or ""), quote_ident(spec.encodings.y[0])
    size = quote_ident(spec.encodings.size or "")
    series = (
        f"coalesce(CAST({quote_ident(spec.encodings.series)} AS VARCHAR), '{NULL_SERIES}')"
        if spec.encodings.series is not None
        else "CAST(NULL AS VARCHAR)"
    )
    (total,) = source.one(f"SELECT count(*) FROM {source.relation}")
    sample = (
        f" USING SAMPLE reservoir({int(source.max_points)} ROWS) REPEATABLE (7)"
        if total > source.max_points
        else ""
    )
    rows = source.rows(
        f"SELECT {series} AS s, {x}, {y}, CAST({size} AS DOUBLE) FROM "
        f"(SELECT * FROM {source.relation}{sample}) ORDER BY s NULLS FIRST, {x}"
    )
    largest = max((abs(row[3]) for row in rows if row[3] is not None), default=1.0) or 1.0
    traces: list[Trace] = []
    for series_value, grouped in groupby(rows, key=lambda row: row[0]):
        group = list(grouped)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": series_value if series_value is not None else spec.encodings.y[0],
                "x": column(row[1] for row in group),
                "y": column(row[2] for row in group),
                "marker": {
                    "size": column(row[3] for row in group),
                    "sizemode": "area",
                    "sizeref": 2.0 * largest / _BUBBLE_MAX_PX**2,
                },
            }
        )
    layout = _xy_layout(spec, source, source_rows=total, is_sampled=bool(sample))
    return figure(paint_series(traces, spec), layout)
