"""Line, area, scatter and bubble figures from known results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

Draw = Callable[..., dict[str, Any]]

DAYS = [dt.date(2024, 1, day) for day in (1, 1, 2, 2, 3, 3)]
SALES = {
    "day": DAYS,
    "shop": ["north", "south", "north", "south", "north", "south"],
    "sales": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    "units": [10, 20, 30, 40, 50, 60],
}


def test_line_one_trace_per_series(draw: Draw) -> None:
    figure = draw(
        SALES, {"type": "line", "encodings": {"x": "day", "y": ["sales"], "series": "shop"}}
    )
    assert [(t["type"], t["mode"], t["name"]) for t in figure["data"]] == [
        ("scatter", "lines", "north"),
        ("scatter", "lines", "south"),
    ]
    north = figure["data"][0]
    assert north["x"] == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert north["y"] == [1.0, 3.0, 5.0]
    assert figure["layout"]["xaxis"]["title"]["text"] == "day"
    assert figure["layout"]["yaxis"]["title"]["text"] == "sales"


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        ("sum", [3.0, 7.0, 11.0]),
        ("avg", [1.5, 3.5, 5.5]),
        ("count", [2.0, 2.0, 2.0]),
        ("min", [1.0, 3.0, 5.0]),
        ("max", [2.0, 4.0, 6.0]),
        ("median", [1.5, 3.5, 5.5]),
    ],
)
def test_line_aggregates_per_x(draw: Draw, aggregation: str, expected: list[float]) -> None:
    figure = draw(
        SALES,
        {"type": "line", "encodings": {"x": "day", "y": ["sales"]}, "aggregation": aggregation},
    )
    assert figure["data"][0]["y"] == expected


def test_count_distinct_and_count_of_rows(draw: Draw) -> None:
    table = {"day": DAYS, "customer": ["a", "a", "b", "c", "c", "c"]}
    distinct = draw(
        table,
        {
            "type": "line",
            "encodings": {"x": "day", "y": ["customer"]},
            "aggregation": "count_distinct",
        },
    )
    assert distinct["data"][0]["y"] == [1.0, 2.0, 1.0]
    rows = draw(table, {"type": "line", "encodings": {"x": "day"}, "aggregation": "count"})
    assert rows["data"][0]["name"] == "count"
    assert rows["data"][0]["y"] == [2.0, 2.0, 2.0]


def test_two_measures_name_their_traces(draw: Draw) -> None:
    figure = draw(
        SALES,
        {
            "type": "line",
            "aggregation": "sum",
            "encodings": {"x": "day", "y": ["sales", "units"], "series": "shop"},
        },
    )
    assert [t["name"] for t in figure["data"]] == [
        "sales · north",
        "sales · south",
        "units · north",
        "units · south",
    ]


@pytest.mark.parametrize(
    ("stacking", "expected"),
    [
        ("none", [{"fill": "tozeroy"}, {"fill": "tozeroy"}]),
        ("stacked", [{"stackgroup": "one"}, {"stackgroup": "one"}]),
        ("percent", [{"stackgroup": "one", "groupnorm": "percent"}, {"stackgroup": "one"}]),
    ],
)
def test_area_stacking(draw: Draw, stacking: str, expected: list[dict[str, str]]) -> None:
    figure = draw(
        SALES,
        {
            "type": "area",
            "encodings": {"x": "day", "y": ["sales"], "series": "shop"},
            "options": {"stacking": stacking},
        },
    )
    styles = [
        {key: trace[key] for key in ("fill", "stackgroup", "groupnorm") if key in trace}
        for trace in figure["data"]
    ]
    assert styles == expected


def test_axis_options(draw: Draw) -> None:
    figure = draw(
        SALES,
        {
            "type": "scatter",
            "encodings": {"x": "units", "y": ["sales"]},
            "options": {
                "x_axis": {"title": "Units", "scale": "log"},
                "y_axis": {"title": "Sales (€)"},
                "number_format": ",.2f",
                "legend": {"is_shown": False, "position": "bottom"},
            },
        },
    )
    layout = figure["layout"]
    assert layout["xaxis"] == {
        "title": {"text": "Units"},
        "type": "log",
        "tickformat": ",.2f",
        "hoverformat": ",.2f",
    }
    assert layout["yaxis"]["title"]["text"] == "Sales (€)"
    assert layout["showlegend"] is False
    assert layout["legend"]["orientation"] == "h"
    assert figure["data"][0]["mode"] == "markers"


def test_date_format_goes_to_the_time_axis(draw: Draw) -> None:
    figure = draw(
        SALES,
        {
            "type": "line",
            "encodings": {"x": "day", "y": ["sales"]},
            "options": {
                "date_format": "%d %b",
                "number_format": ".1%",
                "x_axis": {"scale": "date"},
            },
        },
    )
    assert figure["layout"]["xaxis"]["tickformat"] == "%d %b"
    assert figure["layout"]["xaxis"]["type"] == "date"
    assert figure["layout"]["yaxis"]["tickformat"] == ".1%"


def test_trend_line_is_least_squares(draw: Draw) -> None:
    table = {"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 3.0, 2.0, 6.0]}
    figure = draw(
        table,
        {
            "type": "scatter",
            "encodings": {"x": "x", "y": ["y"]},
            "options": {"has_trend_line": True},
        },
    )
    trend = figure["data"][1]
    assert trend["name"] == "y (trend)" and trend["line"]["dash"] == "dash"
    # slope = Sxy / Sxx = 7 / 5, intercept = 3 - 1.4 * 1.5 for these points
    assert trend["x"] == [0.0, 3.0]
    assert trend["y"] == pytest.approx([0.9, 5.1])


def test_colours(draw: Draw) -> None:
    figure = draw(
        SALES,
        {
            "type": "line",
            "encodings": {"x": "day", "y": ["sales"], "series": "shop"},
            "options": {
                "colours": {"palette": ["#111111", "#222222"], "by_series": {"south": "red"}}
            },
        },
    )
    assert figure["layout"]["colorway"] == ["#111111", "#222222"]
    assert "line" not in figure["data"][0]
    assert figure["data"][1]["line"]["color"] == "red"


def test_bubble_sizes_by_area(draw: Draw) -> None:
    figure = draw(
        SALES,
        {
            "type": "bubble",
            "encodings": {"x": "sales", "y": ["units"], "size": "units", "series": "shop"},
        },
    )
    north, south = figure["data"]
    assert north["name"] == "north" and north["marker"]["size"] == [10.0, 30.0, 50.0]
    assert north["marker"]["sizemode"] == "area"
    assert north["marker"]["sizeref"] == pytest.approx(2 * 60 / 40**2)
    assert south["x"] == [2.0, 4.0, 6.0]


def test_bubble_samples_big_results(draw: Draw) -> None:
    table = {"x": list(range(1000)), "y": list(range(1000)), "s": [1.0] * 1000}
    figure = draw(
        table, {"type": "bubble", "encodings": {"x": "x", "y": ["y"], "size": "s"}}, max_points=100
    )
    assert len(figure["data"][0]["x"]) == 100
    assert figure["layout"]["meta"]["dashwire"]["is_sampled"] is True


def test_null_series_and_text_x(draw: Draw) -> None:
    table = {"k": ["b", "a", "c"], "s": [None, "one", None], "v": [1.0, 2.0, None]}
    figure = draw(table, {"type": "line", "encodings": {"x": "k", "y": ["v"], "series": "s"}})
    assert [trace["name"] for trace in figure["data"]] == ["(null)", "one"]
    assert figure["data"][0]["x"] == ["b", "c"] and figure["data"][0]["y"] == [1.0, None]
