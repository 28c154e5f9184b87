"""Histogram and box plots: distributions summarised in DuckDB, never shipped point by point."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from dashboards.charts.columns import ColumnKind
from dashboards.charts.jsonable import column, to_json
from dashboards.charts.layout import (
    Figure,
    Trace,
    axis_layout,
    base_layout,
    figure,
    paint_series,
    trace_name,
)
from dashboards.charts.points import NULL_SERIES
from dashboards.charts.source import Source
from dashboards.charts.spec import ChartSpec
from dashboards.charts.sql import quote_ident

DEFAULT_BOX_GROUPS = 50


def _label_expression(name: str | None, *, absent: str) -> str:
    """A column as text labels, NULL shown as NULL_SERIES; `absent` when there is no column."""
    if name is None:
        return absent
    return f"coalesce(CAST({quote_ident(name)} AS VARCHAR), '{NULL_SERIES}')"


def build_histogram(spec: ChartSpec, source: Source) -> Figure:
    """Counts of `encodings.x` in `options.bins` equal-width bins, a trace per series.

    Bins are counted in DuckDB; each trace carries one point per non-empty bin (its centre
    and count) with ``histfunc='sum'`` and the same ``xbins``, so plotly.js draws the bins as
    computed and hovers show their ranges.
    """
    x = f"CAST({quote_ident(spec.encodings.x or '')} AS DOUBLE)"
    low, high, total = source.one(
        f"SELECT min({x}), max({x}), count({x}) FROM {source.relation} WHERE isfinite({x})"
    )
    bins = spec.options.bins
    width = (high - low) / bins if total and high > low else 1.0
    start = low if total and high > low else (low or 0.0) - width / 2
    rows = source.rows(
        f"SELECT {_label_expression(spec.encodings.series, absent='NULL')} AS s, "
        f"least(CAST(floor(({x} - $start) / $width) AS BIGINT), $last) AS b, count(*) "
        f"FROM {source.relation} WHERE isfinite({x}) GROUP BY s, b ORDER BY s NULLS FIRST, b",
        {"start": start, "width": width, "last": bins - 1},
    )
    has_series = spec.encodings.series is not None
    traces: list[Trace] = []
    for series, group in groupby(rows, key=lambda row: row[0]):
        counted = list(group)
        traces.append(
            {
                "type": "histogram",
                "histfunc": "sum",
                "name": trace_name(
                    spec.encodings.x or "", series if has_series else None, has_many_measures=False
                ),
                "x": [start + (bucket + 0.5) * width for _, bucket, _ in counted],
                "y": [count for _, _, count in counted],
                "xbins": {"start": start, "end": start + bins * width, "size": width},
                "autobinx": False,
                **({"opacity": 0.6} if has_series else {}),
            }
        )
    layout = base_layout(spec, source_rows=total, bins=bins, bin_width=width)
    layout.update(
        barmode="overlay" if has_series else "group",
        bargap=0.02,
        xaxis=axis_layout(
            spec.options.x_axis, default_title=spec.encodings.x, kind=ColumnKind.NUMBER, spec=spec
        ),
        yaxis=axis_layout(spec.options.y_axis, default_title="count", kind=None, spec=spec),
    )
    return figure(paint_series(traces, spec), layout)


def _box_sql(spec: ChartSpec, source: Source) -> str:
    # '' rather than NULL when there is no column: the joins below match groups by equality.
    group = _label_expression(spec.encodings.x, absent="''")
    series = _label_expression(spec.encodings.series, absent="''")
    selects = " UNION ALL ".join(
        f"SELECT {index} AS m, {series} AS s, {group} AS g, CAST({quote_ident(name)} AS DOUBLE) "
        f"AS v FROM {source.relation} WHERE {quote_ident(name)} IS NOT NULL"
        for index, name in enumerate(spec.encodings.y)
    )
    same_box = "USING (m, s, g)"
    return (
        f"WITH pts AS ({selects}), "
        "kept AS (SELECT g FROM pts GROUP BY g ORDER BY count(*) DESC, g LIMIT $groups), "
        "stats AS (SELECT m, s, g, quantile_cont(v, [0.25, 0.5, 0.75]) AS q, avg(v) AS mean, "
        "count(*) AS n FROM pts SEMI JOIN kept USING (g) GROUP BY m, s, g), "
        "fences AS (SELECT m, s, g, "
        "min(v) FILTER (WHERE v >= q[1] - 1.5 * (q[3] - q[1])) AS lo, "
        "max(v) FILTER (WHERE v <= q[3] + 1.5 * (q[3] - q[1])) AS hi "
        f"FROM pts JOIN stats {same_box} GROUP BY m, s, g) "
        f"SELECT m, s, g, q[1], q[2], q[3], lo, hi, mean, n FROM stats JOIN fences {same_box} "
        "ORDER BY m, s NULLS FIRST, g"
    )


def build_box(spec: ChartSpec, source: Source) -> Figure:
    """Box plots of each y column, per `encodings.x` group and series, from DuckDB quartiles.

    Quartiles are ``quantile_cont``; whiskers end at the furthest values within 1.5 IQR of
    the box (Tukey), as plotly.js draws them from raw points. Outliers are not shipped. At most
    `options.top_n` groups (default 50, the ones with the most values) are drawn.
    """
    rows = source.rows(_box_sql(spec, source), {"groups": spec.options.top_n or DEFAULT_BOX_GROUPS})
    names = list(spec.encodings.y)
    has_series = spec.encodings.series is not None
    traces: list[Trace] = []
    for (measure, series), group in groupby(rows, key=lambda row: (row[0], row[1])):
        boxes = list(group)
        name = trace_name(
            names[measure], series if has_series else None, has_many_measures=len(names) > 1
        )
        trace: dict[str, Any] = {
            "type": "box",
            "name": name,
            "x": [to_json(box[2]) for box in boxes] if spec.encodings.x else [name],
            "boxpoints": False,
        }
        for index, field in enumerate(("q1", "median", "q3", "lowerfence", "upperfence", "mean")):
            trace[field] = column(box[3 + index] for box in boxes)
        traces.append(trace)
    layout = base_layout(spec, box_count=len(rows))
    layout.update(
        boxmode="group" if has_series or len(names) > 1 else "overlay",
        xaxis={
            "type": "category",
            **axis_layout(
                spec.options.x_axis, default_title=spec.encodings.x, kind=None, spec=spec
            ),
        },
        yaxis=axis_layout(
            spec.options.y_axis,
            default_title=names[0] if len(names) == 1 else None,
            kind=ColumnKind.NUMBER,
            spec=spec,
        ),
    )
    return figure(paint_series(traces, spec), layout)
