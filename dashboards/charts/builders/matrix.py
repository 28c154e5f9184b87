"""Heatmaps and pivot tables: a measure aggregated over two sets of groups."""

from __future__ import annotations

from typing import Any

from dashboards.charts.jsonable import column, to_json
from dashboards.charts.layout import Figure, axis_layout, base_layout, figure
from dashboards.charts.source import Row, Source
from dashboards.charts.spec import Aggregation, ChartSpec
from dashboards.charts.sql import aggregate, quote_ident

DEFAULT_HEATMAP_CATEGORIES = 100
MAX_PIVOT_ROWS = 1_000
MAX_PIVOT_COLUMNS = 100
TOTAL = "Total"


def _value_sql(spec: ChartSpec, name: str | None) -> str:
    """The cell aggregate over `name` (raw values are summed; no column counts rows)."""
    aggregation = Aggregation.SUM if spec.aggregation is Aggregation.NONE else spec.aggregation
    return aggregate(aggregation, name)


def _kept_sql(alias: str, column: str) -> str:
    return (
        f"{alias} AS (SELECT {column} FROM base GROUP BY {column} "
        f"ORDER BY count(*) DESC, {column} NULLS LAST LIMIT $n)"
    )


def build_heatmap(spec: ChartSpec, source: Source) -> Figure:
    """A z matrix of the aggregated `encodings.value` (or a row count) per (x, y) cell.

    Each axis keeps its `options.top_n` (default 100) most frequent values, in their natural
    order; cells with no rows are None.
    """
    value = quote_ident(spec.encodings.value) if spec.encodings.value else None
    base_value = f", {value} AS v" if value else ""
    sql = (
        f"WITH base AS (SELECT {quote_ident(spec.encodings.x or '')} AS x, "
        f"{quote_ident(spec.encodings.y[0])} AS y{base_value} FROM {source.relation}), "
        f"{_kept_sql('xs', 'x')}, {_kept_sql('ys', 'y')} "
        f"SELECT x, y, {_value_sql(spec, 'v' if value else None)}, "
        "(SELECT count(DISTINCT x) FROM base), (SELECT count(DISTINCT y) FROM base) "
        "FROM base SEMI JOIN xs ON base.x IS NOT DISTINCT FROM xs.x "
        "SEMI JOIN ys ON base.y IS NOT DISTINCT FROM ys.y "
        "GROUP BY x, y ORDER BY x NULLS LAST, y NULLS LAST"
    )
    rows = source.rows(sql, {"n": spec.options.top_n or DEFAULT_HEATMAP_CATEGORIES})
    xs = list(dict.fromkeys(row[0] for row in rows))
    ys = sorted(set(row[1] for row in rows), key=lambda item: (item is None, item))
    cells = {(row[0], row[1]): row[2] for row in rows}
    z = [[to_json(cells.get((x, y))) for x in xs] for y in ys]
    trace: dict[str, Any] = {"type": "heatmap", "x": column(xs), "y": column(ys), "z": z}
    if spec.options.colour_scale:
        trace["colorscale"] = spec.options.colour_scale
    if spec.options.number_format:
        trace["colorbar"] = {"tickformat": spec.options.number_format}
        trace["hovertemplate"] = f"%{{x}}, %{{y}}: %{{z:{spec.options.number_format}}}"
    layout = base_layout(
        spec,
        x_count=rows[0][3] if rows else 0,
        y_count=rows[0][4] if rows else 0,
    )
    layout.update(
        xaxis=axis_layout(
            spec.options.x_axis,
            default_title=spec.encodings.x,
            kind=source.kind(spec.encodings.x or ""),
            spec=spec,
        ),
        yaxis=axis_layout(
            spec.options.y_axis,
            default_title=spec.encodings.y[0],
            kind=source.kind(spec.encodings.y[0]),
            spec=spec,
        ),
    )
    return figure([trace], layout)


def _pivot_sql(spec: ChartSpec, source: Source) -> str:
    rows = [f"r{index}" for index in range(len(spec.encodings.rows))]
    cols = [f"c{index}" for index in range(len(spec.encodings.columns))]
    value = quote_ident(spec.encodings.value) if spec.encodings.value else None
    base = ", ".join(
        [
            f"{quote_ident(name)} AS {alias}"
            for name, alias in zip(spec.encodings.rows, rows, strict=True)
        ]
        + [
            f"{quote_ident(name)} AS {alias}"
            for name, alias in zip(spec.encodings.columns, cols, strict=True)
        ]
        + ([f"{value} AS v"] if value else [])
    )

    def ranks(name: str, keys: list[str]) -> str:
        if not keys:
            return f"{name} AS (SELECT 1 AS rank)"
        listed = ", ".join(keys)
        order = ", ".join(f"{key} NULLS LAST" for key in keys)
        return (
            f"{name} AS (SELECT {listed}, dense_rank() OVER (ORDER BY {order}) AS rank "
            f"FROM base GROUP BY {listed})"
        )

    def joined(name: str, keys: list[str]) -> str:
        condition = " AND ".join(f"base.{key} IS NOT DISTINCT FROM {name}.{key}" for key in keys)
        return f" JOIN {name} ON {condition or 'true'}"

    sets = dict.fromkeys(tuple(keys) for keys in (rows + cols, rows, cols, []))
    grouping_sets = ", ".join("(" + ", ".join(keys) + ")" for keys in sets)
    is_row_total = f"GROUPING({', '.join(rows)}) > 0" if rows else "true"
    is_col_total = f"GROUPING({', '.join(cols)}) > 0" if cols else "true"
    selected = "".join(f"{key}, " for key in rows + cols)
    return (
        f"WITH base AS (SELECT {base} FROM {source.relation}), "
        f"{ranks('row_ranks', rows)}, {ranks('col_ranks', cols)}, "
        f"kept AS (SELECT base.* FROM base{joined('row_ranks', rows)}{joined('col_ranks', cols)} "
        f"WHERE row_ranks.rank <= $rows AND col_ranks.rank <= $cols) "
        f"SELECT {selected}"
        f"{is_row_total}, {is_col_total}, {_value_sql(spec, 'v' if value else None)}, "
        "(SELECT max(rank) FROM row_ranks), (SELECT max(rank) FROM col_ranks) "
        f"FROM kept GROUP BY GROUPING SETS ({grouping_sets}) "
        f"ORDER BY {', '.join(f'{key} NULLS LAST' for key in rows + cols) or 'true'}"
    )


def _pivot_data(spec: ChartSpec, rows: list[Row]) -> dict[str, Any]:
    row_width, col_width = len(spec.encodings.rows), len(spec.encodings.columns)
    width = row_width + col_width
    row_keys: dict[tuple[Any, ...], None] = {}
    col_keys: dict[tuple[Any, ...], None] = {}
    cells: dict[tuple[tuple[Any, ...] | None, tuple[Any, ...] | None], Any] = {}
    for row in rows:
        row_key, col_key = tuple(row[:row_width]), tuple(row[row_width:width])
        is_row_total, is_col_total, value = row[width], row[width + 1], row[width + 2]
        if not is_row_total:
            row_keys.setdefault(row_key)
        if not is_col_total:
            col_keys.setdefault(col_key)
        cells[None if is_row_total else row_key, None if is_col_total else col_key] = value
    ordered_rows, ordered_cols = list(row_keys), list(col_keys)
    return {
        "rows": list(spec.encodings.rows),
        "columns": list(spec.encodings.columns),
        "row_keys": [column(key) for key in ordered_rows],
        "column_keys": [column(key) for key in ordered_cols],
        "values": [[to_json(cells.get((r, c))) for c in ordered_cols] for r in ordered_rows],
        "row_totals": [to_json(cells.get((r, None))) for r in ordered_rows],
        "column_totals": [to_json(cells.get((None, c))) for c in ordered_cols],
        "grand_total": to_json(cells.get((None, None))),
        "row_group_count": rows[0][width + 3] if rows else 0,
        "column_group_count": rows[0][width + 4] if rows else 0,
    }


def _pivot_table(spec: ChartSpec, pivot: dict[str, Any]) -> dict[str, Any]:
    """The pivot as a plotly table trace: row keys, one column per column key, totals."""

    def label(key: list[Any]) -> str:
        return " · ".join("(null)" if part is None else str(part) for part in key)

    header = pivot["rows"] + [label(key) for key in pivot["column_keys"]]
    has_col_groups = bool(pivot["columns"])
    header += [TOTAL] if has_col_groups else [spec.encodings.value or "count"]
    key_columns = [
        [key[i] for key in pivot["row_keys"]] + [TOTAL if i == 0 else ""]
        for i in range(len(pivot["rows"]))
    ]
    value_columns = (
        [
            [values[j] for values in pivot["values"]] + [pivot["column_totals"][j]]
            for j in range(len(pivot["column_keys"]))
        ]
        if has_col_groups
        else []
    )
    total_column = pivot["row_totals"] + [pivot["grand_total"]]
    if not pivot["rows"]:
        key_columns, value_columns = [], [[total] for total in pivot["column_totals"]]
        total_column = [pivot["grand_total"]]
    number_format = spec.options.number_format or ""
    cells = key_columns + value_columns + [total_column]
    return {
        "type": "table",
        "header": {"values": header},
        "cells": {
            "values": cells,
            "format": [""] * len(key_columns) + [number_format] * (len(cells) - len(key_columns)),
        },
    }


def build_pivot(spec: ChartSpec, source: Source) -> Figure:
    """A pivot table: `encodings.value` aggregated per row group by column group, with totals.

    Totals are aggregated from the rows themselves (GROUPING SETS), so the total of an
    average or a median is right. At most 1,000 row groups and 100 column groups (in their
    natural order) are kept. The table's data is also in ``layout.meta.dashwire.pivot``.
    """
    rows = source.rows(
        _pivot_sql(spec, source), {"rows": MAX_PIVOT_ROWS, "cols": MAX_PIVOT_COLUMNS}
    )
    pivot = _pivot_data(spec, rows)
    layout = base_layout(spec, pivot=pivot)
    del layout["legend"]
    return figure([_pivot_table(spec, pivot)], layout)
