"""Histogram and box figures: summaries computed in DuckDB, no raw points shipped."""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from typing import Any

import pytest

Draw = Callable[..., dict[str, Any]]


def test_histogram_bins(draw: Draw) -> None:
    values = [0.0, 1.0, 2.0, 2.5, 3.0, 9.0, 10.0]
    figure = draw(
        {"v": values}, {"type": "histogram", "encodings": {"x": "v"}, "options": {"bins": 5}}
    )
    (trace,) = figure["data"]
    assert trace["type"] == "histogram" and trace["histfunc"] == "sum"
    assert trace["xbins"] == {"start": 0.0, "end": 10.0, "size": 2.0}
    assert trace["x"] == [1.0, 3.0, 9.0]  # bin centres of the non-empty bins
    assert trace["y"] == [2, 3, 2]  # [0,2) [2,4) and the last bin, which holds its end
    assert figure["layout"]["yaxis"]["title"]["text"] == "count"


def test_histogram_ships_bins_not_rows(draw: Draw) -> None:
    rng = random.Random(3)
    values = [rng.gauss(0, 1) for _ in range(100_000)]
    figure = draw(
        {"v": values},
        {
            "type": "histogram",
            "encodings": {"x": "v"},
            "options": {"bins": 30, "y_axis": {"scale": "log"}},
        },
    )
    (trace,) = figure["data"]
    assert len(trace["x"]) <= 30 and sum(trace["y"]) == len(values)
    assert figure["layout"]["yaxis"]["type"] == "log"


def test_histogram_series_overlay_and_constant_values(draw: Draw) -> None:
    figure = draw(
        {"v": [5, 5, 5, 5], "s": ["a", "a", "b", None]},
        {"type": "histogram", "encodings": {"x": "v", "series": "s"}},
    )
    assert [t["name"] for t in figure["data"]] == ["(null)", "a", "b"]
    assert figure["layout"]["barmode"] == "overlay"
    assert [t["y"] for t in figure["data"]] == [[1], [2], [1]]
    assert figure["data"][1]["x"] == [5.0]


def _tukey(values: list[float]) -> tuple[float, float, float, float, float]:
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    iqr = q3 - q1
    lower = min(v for v in values if v >= q1 - 1.5 * iqr)
    upper = max(v for v in values if v <= q3 + 1.5 * iqr)
    return q1, median, q3, lower, upper


def test_box_quartiles_and_fences(draw: Draw) -> None:
    rng = random.Random(5)
    groups = {
        "a": [rng.gauss(10, 2) for _ in range(501)] + [40.0, -30.0],
        "b": [rng.expovariate(1.0) for _ in range(300)],
    }
    table = {
        "g": [g for g, vs in groups.items() for _ in vs],
        "v": [v for vs in groups.values() for v in vs],
    }
    figure = draw(table, {"type": "box", "encodings": {"x": "g", "y": ["v"]}})
    (trace,) = figure["data"]
    assert trace["type"] == "box" and trace["x"] == ["a", "b"]
    assert trace["boxpoints"] is False
    for index, values in enumerate(groups.values()):
        q1, median, q3, lower, upper = _tukey(values)
        assert trace["q1"][index] == pytest.approx(q1)
        assert trace["median"][index] == pytest.approx(median)
        assert trace["q3"][index] == pytest.approx(q3)
        assert trace["lowerfence"][index] == pytest.approx(lower)
        assert trace["upperfence"][index] == pytest.approx(upper)
        assert trace["mean"][index] == pytest.approx(statistics.fmean(values))
    assert 40.0 not in trace["upperfence"]


def test_box_without_groups_one_box_per_measure(draw: Draw) -> None:
    figure = draw(
        {"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, None]},
        {"type": "box", "encodings": {"y": ["a", "b"]}},
    )
    assert [(t["name"], t["x"], t["median"]) for t in figure["data"]] == [
        ("a", ["a"], [2.0]),
        ("b", ["b"], [4.5]),
    ]
