"""Points of x/y charts (line, area, scatter), aggregated and downsampled in DuckDB.

Every measure (y column) and series value becomes one trace. The points of all traces are
read in a long format, ``(m, s, x, xn, v)``: measure index, series value, x, x as a number
that orders like x, and y as a double.

A trace with more points than its share of `max_points` is downsampled M4-style: the x range
is cut into equal buckets and each bucket keeps its first, last, lowest and highest point, so
the drawn line keeps every spike and every bucket's extremes exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from dashboards.charts.source import Row, Source
from dashboards.charts.spec import Aggregation, ChartSpec
from dashboards.charts.sql import aggregate, as_number, quote_ident

NULL_SERIES = "(null)"


@dataclass(frozen=True)
class Trace:
    """The points of one measure and series value, ordered by x."""

    measure: int
    series: Any
    x: list[Any]
    y: list[Any]


@dataclass(frozen=True)
class Points:
    traces: list[Trace]
    source_points: int
    is_downsampled: bool
    omitted_series: int


@dataclass(frozen=True)
class TrendLine:
    measure: int
    series: Any
    x: list[Any]
    y: list[float]


def _series_expression(spec: ChartSpec) -> str:
    if spec.encodings.series is None:
        return "CAST(NULL AS VARCHAR)"
    return f"coalesce(CAST({quote_ident(spec.encodings.series)} AS VARCHAR), '{NULL_SERIES}')"


def _measures(spec: ChartSpec) -> list[str | None]:
    """Measure columns; a lone None stands for counting rows."""
    return list(spec.encodings.y) or [None]


def _long_select(spec: ChartSpec, source: Source, index: int, measure: str | None) -> str:
    x = quote_ident(spec.encodings.x or "")
    series = _series_expression(spec)
    value = quote_ident(measure) if measure is not None else None
    if spec.aggregation is Aggregation.NONE:
        return (
            f"SELECT {index} AS m, {series} AS s, {x} AS x, CAST({value} AS DOUBLE) AS v "
            f"FROM {source.relation}"
        )
    total = aggregate(spec.aggregation, value)
    return (
        f"SELECT {index} AS m, {series} AS s, {x} AS x, CAST({total} AS DOUBLE) AS v "
        f"FROM {source.relation} GROUP BY ALL"
    )


def points_cte(spec: ChartSpec, source: Source, *, series_limit: int | None) -> str:
    """SQL ``WITH`` clauses ending in ``pts(m, s, x, xn, v)``, rows with a null x dropped.

    With `series_limit`, only the series with the most rows are kept.
    """
    selects = " UNION ALL ".join(
        _long_select(spec, source, index, measure) for index, measure in enumerate(_measures(spec))
    )
    x_kind = source.kind(spec.encodings.x or "")
    number = as_number("x", x_kind) or "CAST(dense_rank() OVER (ORDER BY x) AS DOUBLE)"
    keep = ""
    if series_limit is not None:
        keep = (
            f" AND s IN (SELECT s FROM long GROUP BY s ORDER BY count(*) DESC, s "
            f"LIMIT {int(series_limit)})"
        )
    return (
        f"WITH long AS ({selects}), "
        f"pts AS (SELECT m, s, x, {number} AS xn, v FROM long WHERE x IS NOT NULL{keep})"
    )


def _m4_sql(cte: str) -> str:
    extremes = (
        "g AS (SELECT m, s, b, "
        "arg_min(x, xn) AS x0, arg_min(v, xn) AS v0, arg_max(x, xn) AS x1, arg_max(v, xn) AS v1, "
        "arg_min(x, v) AS x2, min(v) AS v2, arg_max(x, v) AS x3, max(v) AS v3 "
        "FROM (SELECT *, least(CAST(floor((xn - $lo) * $scale) AS BIGINT), $last) AS b "
        "FROM pts WHERE v IS NOT NULL) GROUP BY m, s, b)"
    )
    corners = " UNION ".join(f"SELECT m, s, b, x{i} AS x, v{i} AS v FROM g" for i in range(4))
    return f"{cte}, {extremes} SELECT m, s, x, v FROM ({corners}) ORDER BY m, s, b, x, v"


def _traces(rows: list[Row]) -> list[Trace]:
    traces = []
    for (measure, series), group in groupby(rows, key=lambda row: (row[0], row[1])):
        points = list(group)
        traces.append(
            Trace(measure, series, [row[2] for row in points], [row[3] for row in points])
        )
    return traces


def read_points(spec: ChartSpec, source: Source) -> Points:
    """The traces' points, downsampled when there are more than `source.max_points`.

    Steps:
    1. count the points, series and the x range;
    2. keep the `options.max_series` series with the most points, if there are more;
    3. return every point, or the M4 corners of ``max_points / 4 / traces`` buckets.
    """
    has_series = spec.encodings.series is not None
    count_series = "count(DISTINCT s)" if has_series else "1"
    stats = f"SELECT count(*), {count_series}, min(xn), max(xn) FROM pts"
    cte = points_cte(spec, source, series_limit=None)
    total, series_count, low, high = source.one(f"{cte} {stats}")
    omitted = 0
    if series_count > spec.options.max_series:
        omitted = series_count - spec.options.max_series
        cte = points_cte(spec, source, series_limit=spec.options.max_series)
        total, series_count, low, high = source.one(f"{cte} {stats}")
    if total <= source.max_points:
        rows = source.rows(f"{cte} SELECT m, s, x, v FROM pts ORDER BY m, s, xn")
        return Points(_traces(rows), total, False, omitted)
    trace_count = max(1, len(_measures(spec)) * series_count)
    buckets = max(1, source.max_points // (4 * trace_count))
    span = (high - low) if high is not None and low is not None else 0.0
    params = {"lo": low or 0.0, "scale": buckets / span if span else 0.0, "last": buckets - 1}
    rows = source.rows(_m4_sql(cte), params)
    return Points(_traces(rows), total, True, omitted)


def read_trend_lines(spec: ChartSpec, source: Source) -> Iterator[TrendLine]:
    """Least-squares lines of every trace over all its points, not the downsampled ones."""
    series_limit = spec.options.max_series if spec.encodings.series is not None else None
    cte = points_cte(spec, source, series_limit=series_limit)
    rows = source.rows(
        f"{cte} SELECT m, s, regr_slope(v, xn), regr_intercept(v, xn), min(xn), max(xn), "
        "arg_min(x, xn), arg_max(x, xn) FROM pts GROUP BY m, s HAVING regr_count(v, xn) > 1 "
        "ORDER BY m, s"
    )
    for measure, series, slope, intercept, low, high, first_x, last_x in rows:
        if slope is None:
            continue
        yield TrendLine(
            measure, series, [first_x, last_x], [intercept + slope * low, intercept + slope * high]
        )
