"""The counter: one big number, against a target and/or the previous row."""

from __future__ import annotations

from typing import Any

from dashboards.charts.jsonable import to_json
from dashboards.charts.layout import Figure, base_layout, figure
from dashboards.charts.source import Source
from dashboards.charts.spec import Aggregation, ChartSpec
from dashboards.charts.sql import aggregate, quote_ident


def _measured(spec: ChartSpec) -> str:
    value = quote_ident(spec.encodings.value or "")
    target = quote_ident(spec.encodings.target) if spec.encodings.target else "NULL"
    return f"{value}, {target}"


def _row_values(spec: ChartSpec, source: Source) -> tuple[Any, Any, Any]:
    """(value, target, previous value) at `options.counter_row` of the result as it is."""
    (total,) = source.one(f"SELECT count(*) FROM {source.relation}")
    row = spec.options.counter_row
    offset = row - 1 if row > 0 else total + row
    if not 0 <= offset < total:
        return None, None, None
    rows = source.rows(
        f"SELECT {_measured(spec)} FROM {source.relation} LIMIT $n OFFSET $offset",
        {"n": 2 if offset else 1, "offset": max(0, offset - 1)},
    )
    value, target = rows[-1]
    previous = rows[0][0] if offset else None
    return value, target, previous


def _aggregated_values(spec: ChartSpec, source: Source) -> tuple[Any, Any, Any]:
    value = aggregate(spec.aggregation, quote_ident(spec.encodings.value or ""))
    target = (
        aggregate(spec.aggregation, quote_ident(spec.encodings.target))
        if spec.encodings.target
        else "NULL"
    )
    aggregated, aggregated_target = source.one(f"SELECT {value}, {target} FROM {source.relation}")
    return aggregated, aggregated_target, None


def _gauge(value: float, target: float) -> dict[str, Any]:
    low, high = min(0.0, value, target), max(0.0, value, target)
    return {
        "shape": "bullet",
        "axis": {"range": [low, high * 1.1 if high > 0 else high]},
        "threshold": {"value": target, "line": {"color": "#d62728", "width": 3}, "thickness": 0.8},
    }


def build_counter(spec: ChartSpec, source: Source) -> Figure:
    """An indicator of `encodings.value`, aggregated over all rows or read at one row.

    1. With an aggregation, the value (and the target) is aggregated over the whole result.
    2. Without, it is read at `options.counter_row` (1-based; -1 is the last row), and with
       `options.has_delta` compared with the row before it.
    The delta is against the previous row when asked, else against the target. With both a
    target and a delta, the target is drawn as a bullet gauge's threshold. A row outside the
    result gives an indicator with no number.
    """
    read = _aggregated_values if spec.aggregation is not Aggregation.NONE else _row_values
    value, target, previous = (to_json(item) for item in read(spec, source))
    is_against_previous = spec.options.has_delta and previous is not None
    reference = previous if is_against_previous else target
    mode = "number"
    trace: dict[str, Any] = {
        "type": "indicator",
        "value": value,
        "title": {"text": spec.options.y_axis.title or spec.encodings.value},
        "number": {"valueformat": spec.options.number_format or ""},
    }
    if reference is not None:
        mode += "+delta"
        trace["delta"] = {"reference": reference, "valueformat": spec.options.number_format or ""}
    if is_against_previous and target is not None and value is not None:
        mode += "+gauge"
        trace["gauge"] = _gauge(value, target)
    trace["mode"] = mode
    layout = base_layout(spec, value=value, target=target, previous=previous)
    return figure([trace], layout)
