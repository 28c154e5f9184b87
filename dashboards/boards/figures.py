"""The figure of one dashboard widget, built from its run's cached Arrow result.

Cross-filters (a click on a bar, a slice or a region of another widget) narrow the result
in DuckDB before the figure is built; they never reach an engine, so they are safe on a
public link. Figures are memoised per (result, spec, cross-filters): a result never changes
under its fingerprint, so a hundred viewers of one dashboard build each figure once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from dashboards.charts import ChartSpec, ChartType, build_figure, parse_spec
from dashboards.charts.sql import quote_ident
from dashboards.pipeline.result_store import open_result_connection

MAX_POINTS = 5000
FIGURE_CACHE_TTL_S = 3600


@dataclass(frozen=True)
class CrossFilter:
    """Rows whose `column` (as text) is one of `values`; not applied to `widget_id`, the
    widget that was clicked."""

    widget_id: int
    column: str
    values: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"widget": self.widget_id, "column": self.column, "values": list(self.values)}


@dataclass(frozen=True)
class ClickTarget:
    """Which column a click on the chart selects, and which field of plotly's clicked
    point holds the value ("x", "y", "label", "location", or "name": the trace's name)."""

    column: str
    point_field: str


def _category_axis(spec: ChartSpec) -> ClickTarget | None:
    if spec.encodings.x is None:
        return None
    return ClickTarget(spec.encodings.x, "y" if spec.options.is_horizontal else "x")


def _series(spec: ChartSpec) -> ClickTarget | None:
    return ClickTarget(spec.encodings.series, "name") if spec.encodings.series else None


def _label(spec: ChartSpec) -> ClickTarget | None:
    return ClickTarget(spec.encodings.x, "label") if spec.encodings.x else None


def _stage(spec: ChartSpec) -> ClickTarget | None:
    return ClickTarget(spec.encodings.x, "y") if spec.encodings.x else None


def _region(spec: ChartSpec) -> ClickTarget | None:
    location = spec.encodings.location
    return ClickTarget(location, "location") if location else None


_CLICK_TARGETS: dict[ChartType, Callable[[ChartSpec], ClickTarget | None]] = {
    ChartType.BAR: _category_axis,
    ChartType.PIE: _label,
    ChartType.FUNNEL: _stage,
    ChartType.CHOROPLETH: _region,
    ChartType.LINE: _series,
    ChartType.AREA: _series,
    ChartType.SCATTER: _series,
    ChartType.BUBBLE: _series,
    ChartType.MAP_POINTS: _series,
}


def click_target(spec: ChartSpec) -> ClickTarget | None:
    """What clicking this chart cross-filters by; None for charts without categories."""
    chooser = _CLICK_TARGETS.get(spec.type)
    return chooser(spec) if chooser else None


def applicable_filters(
    widget_id: int, columns: Sequence[str], cross_filters: Sequence[CrossFilter]
) -> list[CrossFilter]:
    """The cross-filters that narrow this widget: set by another widget, on a column this
    widget's result has."""
    names = set(columns)
    return [f for f in cross_filters if f.widget_id != widget_id and f.column in names]


def _text_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _where(filters: Sequence[CrossFilter]) -> str:
    terms = [
        f"CAST({quote_ident(f.column)} AS VARCHAR) IN ({', '.join(map(_text_literal, f.values))})"
        for f in filters
    ]
    return " AND ".join(terms)


def _cache_key(fingerprint: str, spec: dict[str, Any], filters: Sequence[CrossFilter]) -> str:
    material = json.dumps(
        [fingerprint, spec, [f.as_json() for f in filters], MAX_POINTS], sort_keys=True
    )
    return "dashwire:figure:" + hashlib.sha256(material.encode()).hexdigest()


def widget_figure(
    spec_json: dict[str, Any], fingerprint: str, filters: Sequence[CrossFilter]
) -> dict[str, Any]:
    """The plotly figure of `spec_json` over the stored result `fingerprint` narrowed by
    `filters` (already the applicable ones). Raises ChartError for a spec that does not fit
    the result, ResultMissing when the result was evicted."""
    key = _cache_key(fingerprint, spec_json, filters)
    cached: dict[str, Any] | None = cache.get(key)
    if cached is not None:
        return cached
    spec = parse_spec(spec_json)
    con = open_result_connection(fingerprint)
    try:
        relation = "result"
        if filters:
            # a view, not a copy: DuckDB pushes the filter into the scan of the Arrow file
            where = _where(filters)
            con.execute(f"CREATE TEMP VIEW narrowed AS SELECT * FROM result WHERE {where}")
            relation = "narrowed"
        figure = build_figure(spec, con, relation, max_points=MAX_POINTS)
    finally:
        con.close()
    cache.set(key, figure, FIGURE_CACHE_TTL_S)
    return figure
