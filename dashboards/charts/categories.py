"""Measures aggregated per category (bar, pie, funnel), the tail folded into "Other".

Categories are ranked by their first measure, largest first; the top N are kept and, when
asked, the rest are aggregated together as one "Other" category, with the chart's own
aggregation over the rest's rows (so "Other" of an average is the average of those rows, not
an average of averages). Measures are summed when the spec asks for no aggregation, since a
category must show a single value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboards.charts.columns import ColumnKind
from dashboards.charts.points import NULL_SERIES
from dashboards.charts.source import Source
from dashboards.charts.spec import Aggregation, ChartSpec, ChartType, SortBy, SortOrder
from dashboards.charts.sql import aggregate, quote_ident

OTHER = "Other"
NULL_CATEGORY = "(null)"


@dataclass(frozen=True)
class CategoryRow:
    category: Any
    is_other: bool
    series: str | None
    values: list[Any]

    @property
    def label(self) -> Any:
        if self.is_other:
            return OTHER
        return NULL_CATEGORY if self.category is None else self.category


@dataclass(frozen=True)
class Categories:
    rows: list[CategoryRow]
    category_count: int
    other_count: int

    def labels(self) -> list[Any]:
        """Category labels in drawing order, each once."""
        return list(dict.fromkeys(row.label for row in self.rows))


def _aggregation(spec: ChartSpec) -> Aggregation:
    return Aggregation.SUM if spec.aggregation is Aggregation.NONE else spec.aggregation


def _order(spec: ChartSpec, x_kind: ColumnKind) -> tuple[str, str]:
    sort = spec.sort
    if sort is None:
        is_ordered_x = x_kind in (ColumnKind.NUMBER, ColumnKind.TIMESTAMP, ColumnKind.DATE)
        by = SortBy.X if is_ordered_x and spec.type is ChartType.BAR else SortBy.VALUE
        order = SortOrder.ASC if by is SortBy.X else SortOrder.DESC
    else:
        by, order = sort.by, sort.order
    key = "x" if by is SortBy.X else "category_total"
    return key, "DESC" if order is SortOrder.DESC else "ASC"


def _series_sql(spec: ChartSpec, first_total: str, *, has_series: bool) -> tuple[str, str, str]:
    """(series expression, extra CTE, extra join) folding series past `$ns` into "Other"."""
    if spec.encodings.series is None or not has_series:
        return "CAST(NULL AS VARCHAR)", "", ""
    column = quote_ident(spec.encodings.series)
    expression = f"coalesce(CAST({column} AS VARCHAR), '{NULL_SERIES}')"
    cte = (
        ", series_ranked AS (SELECT s, row_number() OVER "
        f"(ORDER BY {first_total} DESC NULLS LAST, s) AS sr FROM base GROUP BY s)"
    )
    join = " JOIN series_ranked USING (s)"
    return expression, cte, join


def read_categories(
    spec: ChartSpec, source: Source, *, top_n: int, has_other: bool, has_series: bool = True
) -> Categories:
    """Aggregated measures per (category, series), ordered for drawing, "Other" last.

    Without `has_other` the categories past the top N are dropped instead of folded. Series
    past `options.max_series` are always folded into an "Other" series; without
    `has_series` the series column is ignored.
    """
    names = list(spec.encodings.y)
    aggregation = _aggregation(spec)
    ys = [f"y{index}" for index in range(len(names))]
    totals = [aggregate(aggregation, y) for y in ys] or [aggregate(aggregation, None)]
    values = ", ".join(f"{total} AS v{index}" for index, total in enumerate(totals))
    series, series_cte, series_join = _series_sql(spec, totals[0], has_series=has_series)
    series_label = f"CASE WHEN sr <= $ns THEN s ELSE '{OTHER}' END" if series_cte else "s"
    base_columns = "".join(
        f", {quote_ident(name)} AS {y}" for name, y in zip(names, ys, strict=True)
    )
    key, direction = _order(spec, source.kind(spec.encodings.x or ""))
    keep = "" if has_other else "WHERE NOT is_other"
    sql = (
        f"WITH base AS (SELECT {quote_ident(spec.encodings.x or '')} AS x, {series} AS s"
        f"{base_columns} FROM {source.relation}), "
        "ranked AS (SELECT x, row_number() OVER "
        f"(ORDER BY {totals[0]} DESC NULLS LAST, x NULLS LAST) AS r FROM base GROUP BY x)"
        f"{series_cte}, "
        "labelled AS (SELECT CASE WHEN r <= $n THEN base.x END AS x, r > $n AS is_other, "
        f"{series_label} AS s{''.join(f', {y}' for y in ys)} FROM base{series_join} "
        "JOIN ranked ON base.x IS NOT DISTINCT FROM ranked.x), "
        f"grouped AS (SELECT x, is_other, s, {values} FROM labelled {keep} "
        "GROUP BY x, is_other, s) "
        "SELECT x, is_other, s, (SELECT count(*) FROM ranked), "
        f"{', '.join(f'v{index}' for index in range(len(totals)))} FROM (SELECT *, "
        "sum(v0) OVER (PARTITION BY is_other, x) AS category_total FROM grouped) "
        f"ORDER BY is_other, {key} {direction} NULLS LAST, x NULLS LAST, s"
    )
    params = {"n": top_n, "ns": spec.options.max_series} if series_cte else {"n": top_n}
    rows = source.rows(sql, params)
    category_count = rows[0][3] if rows else 0
    return Categories(
        rows=[CategoryRow(row[0], row[1], row[2], list(row[4:])) for row in rows],
        category_count=category_count,
        other_count=max(0, category_count - top_n),
    )
