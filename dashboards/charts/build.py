"""From a chart spec and a result relation to a plotly figure, built on the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

from dashboards.charts.builders.categorical import build_bar, build_funnel, build_pie
from dashboards.charts.builders.counter import build_counter
from dashboards.charts.builders.distribution import build_box, build_histogram
from dashboards.charts.builders.maps import build_choropleth, build_map_points
from dashboards.charts.builders.matrix import build_heatmap, build_pivot
from dashboards.charts.builders.table import build_table
from dashboards.charts.builders.xy import build_bubble, build_xy
from dashboards.charts.checks import check_columns, check_encodings
from dashboards.charts.errors import ChartError
from dashboards.charts.layout import Figure
from dashboards.charts.source import Source
from dashboards.charts.spec import ChartSpec, ChartType

Builder = Callable[[ChartSpec, Source], Figure]

BUILDERS: dict[ChartType, Builder] = {
    ChartType.TABLE: build_table,
    ChartType.COUNTER: build_counter,
    ChartType.LINE: build_xy,
    ChartType.AREA: build_xy,
    ChartType.BAR: build_bar,
    ChartType.SCATTER: build_xy,
    ChartType.BUBBLE: build_bubble,
    ChartType.PIE: build_pie,
    ChartType.HISTOGRAM: build_histogram,
    ChartType.BOX: build_box,
    ChartType.HEATMAP: build_heatmap,
    ChartType.PIVOT: build_pivot,
    ChartType.FUNNEL: build_funnel,
    ChartType.MAP_POINTS: build_map_points,
    ChartType.CHOROPLETH: build_choropleth,
}


def build_figure(
    spec: ChartSpec, con: duckdb.DuckDBPyConnection, relation: str, *, max_points: int = 5000
) -> dict[str, Any]:
    """The plotly figure (``{"data": [...], "layout": {...}}``) of `spec` over `relation`.

    `relation` names a table or view visible on `con` (one identifier, quoted here). Every
    aggregation runs in DuckDB on `con`; the figure is JSON-serialisable as it is (ISO dates,
    floats, None for NaN) and holds at most about `max_points` points per chart.

    Raises `ChartError` when the spec does not fit its type or the relation's columns, or
    when DuckDB refuses a chart query.
    """
    if max_points < 16:
        raise ChartError("max_points must be at least 16", "max_points")
    check_encodings(spec)
    source = Source.open(con, relation, max_points=max_points)
    check_columns(spec, source.columns)
    return BUILDERS[spec.type](spec, source)
