"""Bar, pie and funnel figures; top N plus "Other"."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

Draw = Callable[..., dict[str, Any]]

FRUIT = {
    "fruit": ["apple", "pear", "apple", "fig", "pear", "kiwi"],
    "shop": ["north", "north", "south", "south", "south", "north"],
    "kg": [5.0, 2.0, 1.0, 4.0, 3.0, 1.5],
}


def test_bar_sums_and_sorts_by_value(draw: Draw) -> None:
    figure = draw(FRUIT, {"type": "bar", "encodings": {"x": "fruit", "y": ["kg"]}})
    (trace,) = figure["data"]
    assert trace["type"] == "bar"
    assert trace["x"] == ["apple", "pear", "fig", "kiwi"]
    assert trace["y"] == [6.0, 5.0, 4.0, 1.5]
    assert figure["layout"]["barmode"] == "group"
    assert figure["layout"]["xaxis"]["categoryarray"] == trace["x"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ({"by": "x"}, ["apple", "fig", "kiwi", "pear"]),
        ({"by": "x", "order": "desc"}, ["pear", "kiwi", "fig", "apple"]),
        ({"by": "value", "order": "asc"}, ["kiwi", "fig", "pear", "apple"]),
    ],
)
def test_bar_sort(draw: Draw, sort: dict[str, str], expected: list[str]) -> None:
    figure = draw(FRUIT, {"type": "bar", "encodings": {"x": "fruit", "y": ["kg"]}, "sort": sort})
    assert figure["data"][0]["x"] == expected


@pytest.mark.parametrize(
    ("mode", "layout"),
    [
        ("grouped", {"barmode": "group"}),
        ("stacked", {"barmode": "stack"}),
        ("percent", {"barmode": "stack", "barnorm": "percent"}),
    ],
)
def test_bar_modes(draw: Draw, mode: str, layout: dict[str, str]) -> None:
    figure = draw(
        FRUIT,
        {
            "type": "bar",
            "encodings": {"x": "fruit", "y": ["kg"], "series": "shop"},
            "options": {"bar_mode": mode},
        },
    )
    assert {key: figure["layout"].get(key) for key in layout} == layout
    north, south = figure["data"]
    assert north["name"] == "north" and south["name"] == "south"
    assert dict(zip(north["x"], north["y"], strict=True)) == {
        "apple": 5.0,
        "pear": 2.0,
        "kiwi": 1.5,
    }
    assert dict(zip(south["x"], south["y"], strict=True)) == {"apple": 1.0, "pear": 3.0, "fig": 4.0}


def test_horizontal_bar_swaps_axes(draw: Draw) -> None:
    figure = draw(
        FRUIT,
        {
            "type": "bar",
            "encodings": {"x": "fruit", "y": ["kg"]},
            "options": {"is_horizontal": True, "number_format": ".1f"},
        },
    )
    (trace,) = figure["data"]
    assert trace["orientation"] == "h"
    assert trace["y"] == ["apple", "pear", "fig", "kiwi"] and trace["x"][0] == 6.0
    assert figure["layout"]["yaxis"]["title"]["text"] == "fruit"
    assert figure["layout"]["xaxis"]["tickformat"] == ".1f"


@pytest.mark.parametrize("aggregation", ["sum", "count", "avg", "max", "median", "count_distinct"])
def test_top_n_and_other_over_many_categories(draw: Draw, aggregation: str) -> None:
    rng = random.Random(11)
    categories = [f"c{rng.randrange(10_000)}" for _ in range(50_000)]
    values = [rng.randrange(1, 100) for _ in categories]
    figure = draw(
        {"c": categories, "v": values},
        {
            "type": "bar",
            "encodings": {"x": "c", "y": ["v"]},
            "aggregation": aggregation,
            "options": {"top_n": 20},
        },
    )
    (trace,) = figure["data"]
    assert len(trace["x"]) == 21 and trace["x"][-1] == "Other"
    facts = figure["layout"]["meta"]["dashwire"]
    assert facts["other_count"] == facts["category_count"] - 20
    shown = set(trace["x"][:-1])
    rest = [v for c, v in zip(categories, values, strict=True) if c not in shown]
    expected_other = {
        "sum": sum(rest),
        "count": len(rest),
        "avg": sum(rest) / len(rest),
        "max": max(rest),
        "median": sorted(rest)[len(rest) // 2]
        if len(rest) % 2
        else (sorted(rest)[len(rest) // 2 - 1] + sorted(rest)[len(rest) // 2]) / 2,
        "count_distinct": len(set(rest)),
    }[aggregation]
    assert trace["y"][-1] == pytest.approx(expected_other)
    if aggregation in ("sum", "count"):
        assert sum(trace["y"]) == pytest.approx(
            sum(values) if aggregation == "sum" else len(values)
        )
    assert trace["y"][:-1] == sorted(trace["y"][:-1], reverse=True)


def test_default_top_n_is_50_for_bars_and_10_for_pies(draw: Draw) -> None:
    table = {"c": [f"c{i:03d}" for i in range(200)], "v": [float(i) for i in range(200)]}
    bar = draw(table, {"type": "bar", "encodings": {"x": "c", "y": ["v"]}})
    pie = draw(table, {"type": "pie", "encodings": {"x": "c", "y": ["v"]}})
    assert len(bar["data"][0]["x"]) == 51
    assert len(pie["data"][0]["labels"]) == 11
    assert pie["data"][0]["labels"][:2] == ["c199", "c198"]
    assert pie["data"][0]["labels"][-1] == "Other"
    assert sum(pie["data"][0]["values"]) == pytest.approx(sum(range(200)))


def test_pie_donut(draw: Draw) -> None:
    figure = draw(
        FRUIT,
        {
            "type": "pie",
            "encodings": {"x": "fruit", "y": ["kg"]},
            "options": {
                "hole": 0.5,
                "number_format": ".1f",
                "colours": {"by_series": {"fig": "green"}},
            },
        },
    )
    (trace,) = figure["data"]
    assert trace["type"] == "pie" and trace["hole"] == 0.5
    assert trace["labels"] == ["apple", "pear", "fig", "kiwi"]
    assert trace["values"] == [6.0, 5.0, 4.0, 1.5]
    assert trace["marker"]["colors"] == [None, None, "green", None]
    assert trace["texttemplate"] == "%{value:.1f}"


def test_pie_counts_rows_without_y(draw: Draw) -> None:
    figure = draw(FRUIT, {"type": "pie", "encodings": {"x": "shop"}, "aggregation": "count"})
    assert figure["data"][0]["labels"] == ["north", "south"]
    assert figure["data"][0]["values"] == [3, 3]


def test_null_category_is_its_own_bar(draw: Draw) -> None:
    figure = draw(
        {"c": ["a", None, None], "v": [1.0, 2.0, 3.0]},
        {"type": "bar", "encodings": {"x": "c", "y": ["v"]}},
    )
    assert figure["data"][0]["x"] == ["(null)", "a"]
    assert figure["data"][0]["y"] == [5.0, 1.0]


def test_numeric_x_bars_keep_a_numeric_axis(draw: Draw) -> None:
    figure = draw(
        {"year": [2001, 2000, 2001], "v": [1.0, 2.0, 3.0]},
        {"type": "bar", "encodings": {"x": "year", "y": ["v"]}},
    )
    assert figure["data"][0]["x"] == [2000, 2001]
    assert "type" not in figure["layout"]["xaxis"]


def test_funnel(draw: Draw) -> None:
    table = {"stage": ["visit", "cart", "visit", "buy", "cart"], "n": [60, 20, 40, 5, 10]}
    figure = draw(table, {"type": "funnel", "encodings": {"x": "stage", "y": ["n"]}})
    (trace,) = figure["data"]
    assert trace["type"] == "funnel"
    assert trace["y"] == ["visit", "cart", "buy"] and trace["x"] == [100, 30, 5]
    assert trace["textinfo"] == "value+percent initial"
