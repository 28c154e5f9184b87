"""The table: one page of rows, formatted, with conditional cell colours."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

from dashboards.charts.columns import TEMPORAL_KINDS, ColumnKind
from dashboards.charts.jsonable import to_json
from dashboards.charts.layout import Figure, base_layout, figure
from dashboards.charts.source import Source
from dashboards.charts.spec import ChartSpec, ColourRule, RuleOp, SortBy, SortOrder
from dashboards.charts.sql import quote_ident

PLAIN_FILL = "rgba(0,0,0,0)"


def _contains(cell: Any, value: Any) -> bool:
    return str(value).casefold() in str(cell).casefold()


_OPS: dict[RuleOp, Callable[[Any, Any], bool]] = {
    RuleOp.GT: operator.gt,
    RuleOp.GE: operator.ge,
    RuleOp.LT: operator.lt,
    RuleOp.LE: operator.le,
    RuleOp.EQ: operator.eq,
    RuleOp.NE: operator.ne,
    RuleOp.CONTAINS: _contains,
}


def matches(rule: ColourRule, cell: Any) -> bool:
    """Whether `cell` (a JSON value) meets `rule`; a number and a text never compare."""
    if cell is None:
        return False
    if rule.op is RuleOp.CONTAINS:
        return _contains(cell, rule.value)
    is_number = isinstance(cell, int | float) and not isinstance(cell, bool)
    if is_number != isinstance(rule.value, int | float):
        return False
    return _OPS[rule.op](cell, rule.value)


def format_date(value: dt.date, date_format: str) -> str:
    """`value` in `date_format`; %L (d3's milliseconds) is not Python's, so it is done here."""
    millis = f"{value.microsecond // 1000:03d}" if isinstance(value, dt.datetime) else "000"
    return value.strftime(date_format.replace("%L", millis))


def _display(value: Any, kind: ColumnKind, spec: ChartSpec) -> Any:
    if spec.options.date_format and kind in TEMPORAL_KINDS and isinstance(value, dt.date):
        return format_date(value, spec.options.date_format)
    return to_json(value)


def _order_by(spec: ChartSpec) -> str:
    sort = spec.sort
    if sort is None:
        return ""
    name = sort.column if sort.by is SortBy.COLUMN else spec.encodings.x
    if name is None:
        return ""
    direction = "DESC" if sort.order is SortOrder.DESC else "ASC"
    return f" ORDER BY {quote_ident(name)} {direction} NULLS LAST"


def build_table(spec: ChartSpec, source: Source) -> Figure:
    """Page `options.page` of `options.page_size` rows of `encodings.columns` (default all).

    Numbers take `options.number_format` (plotly.js applies it), dates and times
    `options.date_format`. A cell's fill is the colour of the last of
    `options.conditional_colours` on its column that it meets (rules compare the raw value).
    `layout.meta.dashwire` has the total row count.
    """
    names = list(spec.encodings.columns) or list(source.columns)
    kinds = [source.kind(name) for name in names]
    (total,) = source.one(f"SELECT count(*) FROM {source.relation}")
    rows = source.rows(
        f"SELECT {', '.join(quote_ident(name) for name in names)} FROM {source.relation}"
        f"{_order_by(spec)} LIMIT $n OFFSET $offset",
        {"n": spec.options.page_size, "offset": (spec.options.page - 1) * spec.options.page_size},
    )
    values = [[_display(row[i], kinds[i], spec) for row in rows] for i in range(len(names))]
    fills: list[list[str]] = []
    for index, name in enumerate(names):
        rules = [rule for rule in spec.options.conditional_colours if rule.column == name]
        column_fills = []
        for row in rows:
            cell = to_json(row[index])
            chosen = [rule.colour for rule in rules if matches(rule, cell)]
            column_fills.append(chosen[-1] if chosen else PLAIN_FILL)
        fills.append(column_fills)
    is_number = [kind is ColumnKind.NUMBER for kind in kinds]
    trace = {
        "type": "table",
        "header": {"values": names},
        "cells": {
            "values": values,
            "format": [spec.options.number_format or "" if flag else "" for flag in is_number],
            "align": ["right" if flag else "left" for flag in is_number],
            "fill": {"color": fills},
        },
    }
    layout = base_layout(
        spec, total_rows=total, page=spec.options.page, page_size=spec.options.page_size
    )
    del layout["legend"]
    return figure([trace], layout)
