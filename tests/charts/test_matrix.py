"""Heatmap and pivot table figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Draw = Callable[..., dict[str, Any]]

SALES = {
    "region": ["east", "east", "west", "west", "west", "north"],
    "year": [2023, 2024, 2023, 2024, 2024, 2024],
    "amount": [1.0, 2.0, 3.0, 4.0, 6.0, 10.0],
}


def test_heatmap_matrix(draw: Draw) -> None:
    figure = draw(
        SALES,
        {
            "type": "heatmap",
            "encodings": {"x": "year", "y": ["region"], "value": "amount"},
            "aggregation": "avg",
            "options": {"colour_scale": "Viridis", "number_format": ".2f"},
        },
    )
    (trace,) = figure["data"]
    assert trace["type"] == "heatmap"
    assert trace["x"] == [2023, 2024]
    assert trace["y"] == ["east", "north", "west"]
    assert trace["z"] == [[1.0, 2.0], [None, 10.0], [3.0, 5.0]]
    assert trace["colorscale"] == "Viridis"
    assert trace["colorbar"]["tickformat"] == ".2f"


def test_heatmap_counts_and_caps_categories(draw: Draw) -> None:
    table = {"x": [i % 7 for i in range(700)], "y": [i % 13 for i in range(700)]}
    figure = draw(
        table, {"type": "heatmap", "encodings": {"x": "x", "y": ["y"]}, "options": {"top_n": 5}}
    )
    (trace,) = figure["data"]
    assert len(trace["x"]) == 5 and len(trace["y"]) == 5
    assert figure["layout"]["meta"]["dashwire"]["y_count"] == 13
    total = sum(cell or 0 for row in trace["z"] for cell in row)
    assert 0 < total < 700


def test_pivot_with_totals_of_an_average(draw: Draw) -> None:
    figure = draw(
        SALES,
        {
            "type": "pivot",
            "aggregation": "avg",
            "encodings": {"rows": ["region"], "columns": ["year"], "value": "amount"},
            "options": {"number_format": ",.1f"},
        },
    )
    (trace,) = figure["data"]
    assert trace["type"] == "table"
    assert trace["header"]["values"] == ["region", "2023", "2024", "Total"]
    assert trace["cells"]["values"] == [
        ["east", "north", "west", "Total"],
        [1.0, None, 3.0, 2.0],
        [2.0, 10.0, 5.0, 5.5],
        [1.5, 10.0, 13 / 3, 26 / 6],
    ]
    assert trace["cells"]["format"] == ["", ",.1f", ",.1f", ",.1f"]
    pivot = figure["layout"]["meta"]["dashwire"]["pivot"]
    assert pivot["row_keys"] == [["east"], ["north"], ["west"]]
    assert pivot["column_keys"] == [[2023], [2024]]
    assert pivot["values"] == [[1.0, 2.0], [None, 10.0], [3.0, 5.0]]
    assert pivot["grand_total"] == 26 / 6


def test_pivot_rows_only_and_columns_only(draw: Draw) -> None:
    rows_only = draw(SALES, {"type": "pivot", "encodings": {"rows": ["region", "year"]}})
    assert rows_only["data"][0]["header"]["values"] == ["region", "year", "count"]
    assert rows_only["data"][0]["cells"]["values"][2] == [1, 1, 1, 1, 2, 6]
    cols_only = draw(
        SALES,
        {
            "type": "pivot",
            "aggregation": "sum",
            "encodings": {"columns": ["region"], "value": "amount"},
        },
    )
    assert cols_only["data"][0]["header"]["values"] == ["east", "north", "west", "Total"]
    assert cols_only["data"][0]["cells"]["values"] == [[3.0], [10.0], [13.0], [26.0]]
