"""Bar, pie and funnel charts: one aggregated value per category."""

from __future__ import annotations

from typing import Any

from dashboards.charts.categories import Categories, read_categories
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
from dashboards.charts.source import Source
from dashboards.charts.spec import BarMode, ChartSpec, ChartType

DEFAULT_TOP_N: dict[ChartType, int] = {ChartType.BAR: 50, ChartType.PIE: 10, ChartType.FUNNEL: 50}

_BAR_MODES: dict[BarMode, dict[str, str]] = {
    BarMode.GROUPED: {"barmode": "group"},
    BarMode.STACKED: {"barmode": "stack"},
    BarMode.PERCENT: {"barmode": "stack", "barnorm": "percent"},
}


_CONTINUOUS = frozenset({ColumnKind.NUMBER, ColumnKind.TIMESTAMP, ColumnKind.DATE})


def _top_n(spec: ChartSpec) -> int:
    return spec.options.top_n or DEFAULT_TOP_N[spec.type]


def _measure_names(spec: ChartSpec) -> list[str]:
    return list(spec.encodings.y) or ["count"]


def _facts(categories: Categories) -> dict[str, Any]:
    return {
        "category_count": categories.category_count,
        "other_count": categories.other_count,
    }


def _value_template(spec: ChartSpec, placeholder: str) -> dict[str, str]:
    if spec.options.number_format is None:
        return {}
    return {"texttemplate": f"%{{{placeholder}:{spec.options.number_format}}}"}


def _bar_traces(spec: ChartSpec, categories: Categories) -> list[Trace]:
    names = _measure_names(spec)
    has_series = spec.encodings.series is not None
    traces: list[Trace] = []
    for measure_index, measure in enumerate(names):
        for series in dict.fromkeys(row.series for row in categories.rows):
            rows = [row for row in categories.rows if row.series == series]
            labels = column(row.label for row in rows)
            values = column(row.values[measure_index] for row in rows)
            trace: Trace = {
                "type": "bar",
                "name": trace_name(
                    measure, series if has_series else None, has_many_measures=len(names) > 1
                ),
                "x": labels,
                "y": values,
            }
            if spec.options.is_horizontal:
                trace.update(orientation="h", x=values, y=labels)
            traces.append(trace)
    return traces


def build_bar(spec: ChartSpec, source: Source) -> Figure:
    """Bars per category (top N, default 50, plus "Other"), a trace per measure and series.

    `options.bar_mode` groups, stacks or stacks to 100%; `options.is_horizontal` swaps axes.
    """
    categories = read_categories(spec, source, top_n=_top_n(spec), has_other=True)
    names = _measure_names(spec)
    category_axis = axis_layout(
        spec.options.x_axis,
        default_title=spec.encodings.x,
        kind=source.kind(spec.encodings.x or ""),
        spec=spec,
    )
    if categories.other_count or source.kind(spec.encodings.x or "") not in _CONTINUOUS:
        # An explicit order keeps "Other" last and the sort the user asked for.
        category_axis.update(
            type="category",
            categoryorder="array",
            categoryarray=column(categories.labels()),
        )
    value_axis = axis_layout(
        spec.options.y_axis,
        default_title=names[0] if len(names) == 1 else None,
        kind=ColumnKind.NUMBER,
        spec=spec,
    )
    layout = base_layout(spec, **_facts(categories))
    layout.update(_BAR_MODES[spec.options.bar_mode])
    if spec.options.is_horizontal:
        category_axis.setdefault("autorange", "reversed")
        layout.update(xaxis=value_axis, yaxis=category_axis)
    else:
        layout.update(xaxis=category_axis, yaxis=value_axis)
    return figure(paint_series(_bar_traces(spec, categories), spec), layout)


def build_pie(spec: ChartSpec, source: Source) -> Figure:
    """A pie (a donut with `options.hole`) of the top N categories (default 10) + "Other"."""
    categories = read_categories(spec, source, top_n=_top_n(spec), has_other=True, has_series=False)
    labels = [to_json(row.label) for row in categories.rows]
    trace: Trace = {
        "type": "pie",
        "labels": labels,
        "values": column(row.values[0] for row in categories.rows),
        "hole": spec.options.hole,
        "sort": False,
        "direction": "clockwise",
        **_value_template(spec, "value"),
    }
    by_series = spec.options.colours.by_series
    palette = list(spec.options.colours.palette)
    if by_series or palette:
        trace["marker"] = {
            "colors": [
                by_series.get(str(label), palette[index % len(palette)] if palette else None)
                for index, label in enumerate(labels)
            ]
        }
    return figure([trace], base_layout(spec, **_facts(categories)))


def build_funnel(spec: ChartSpec, source: Source) -> Figure:
    """Funnel stages (top N by value, default 50; no "Other": it is no stage)."""
    categories = read_categories(
        spec, source, top_n=_top_n(spec), has_other=False, has_series=False
    )
    trace: Trace = {
        "type": "funnel",
        "name": _measure_names(spec)[0],
        "y": column(row.label for row in categories.rows),
        "x": column(row.values[0] for row in categories.rows),
        "textinfo": "value+percent initial",
        **_value_template(spec, "value"),
    }
    layout = base_layout(spec, **_facts(categories))
    layout["yaxis"] = {
        "type": "category",
        **axis_layout(spec.options.x_axis, default_title=spec.encodings.x, kind=None, spec=spec),
    }
    return figure(paint_series([trace], spec), layout)
