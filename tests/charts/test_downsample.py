"""M4 downsampling: every bucket keeps its first, last, lowest and highest point."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

Draw = Callable[..., dict[str, Any]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_spike_and_both_ends_survive(draw: Draw, seed: int) -> None:
    rng = random.Random(seed)
    size, max_points, spikes = 20_000, 400, 20
    xs = sorted(rng.uniform(-1_000.0, 1_000.0) for _ in range(size))
    ys = [rng.gauss(0.0, 1.0) for _ in xs]
    # spikes far apart along x, up and down, well outside the noise: what a reader of the
    # full-resolution chart would see first
    spiked = {}
    for n in range(spikes):
        index = round((n + 0.5) * size / spikes)
        ys[index] = (-1) ** n * (50.0 + n)
        spiked[xs[index]] = ys[index]
    figure = draw(
        {"x": xs, "y": ys},
        {"type": "line", "encodings": {"x": "x", "y": ["y"]}},
        max_points=max_points,
    )
    trace = figure["data"][0]
    kept = list(zip(trace["x"], trace["y"], strict=True))
    assert figure["layout"]["meta"]["dashwire"]["is_downsampled"] is True
    assert len(kept) <= max_points
    assert trace["x"] == sorted(trace["x"])
    assert set(kept) <= set(zip(xs, ys, strict=True))  # no point is made up
    assert set(spiked.items()) <= set(kept)
    assert kept[0] == (xs[0], ys[0]) and kept[-1] == (xs[-1], ys[-1])


def test_each_series_is_downsampled_on_its_own(draw: Draw) -> None:
    rng = random.Random(7)
    size = 10_000
    xs = [float(i) for i in range(size)] * 2
    ys = [rng.random() for _ in range(size)] + [100 + rng.random() for _ in range(size)]
    ys[1234], ys[size + 4321] = 50.0, -50.0
    series = ["low"] * size + ["high"] * size
    figure = draw(
        {"x": xs, "y": ys, "s": series},
        {"type": "line", "encodings": {"x": "x", "y": ["y"], "series": "s"}},
        max_points=800,
    )
    high, low = figure["data"]
    assert (high["name"], low["name"]) == ("high", "low")
    assert 50.0 in low["y"] and -50.0 in high["y"]
    assert len(high["x"]) + len(low["x"]) <= 800
    assert low["x"][0] == 0.0 and low["x"][-1] == float(size - 1)


def test_timestamps_downsample_to_iso_strings(draw: Draw) -> None:
    start = dt.datetime(2024, 1, 1)
    table = pa.table(
        {
            "at": [start + dt.timedelta(minutes=i) for i in range(50_000)],
            "v": [math.sin(i / 500) for i in range(50_000)],
        }
    )
    figure = draw(table, {"type": "line", "encodings": {"x": "at", "y": ["v"]}}, max_points=1_000)
    trace = figure["data"][0]
    assert 500 < len(trace["x"]) <= 1_000
    assert trace["x"][0] == "2024-01-01T00:00:00"
    assert max(trace["y"]) == pytest.approx(1.0, abs=1e-6)
    assert min(trace["y"]) == pytest.approx(-1.0, abs=1e-6)


def test_a_million_rows_draw_as_a_few_thousand_points_of_the_same_shape(
    draw: Draw, con: Any
) -> None:
    con.execute(
        "CREATE TABLE big AS SELECT range AS x, sin(range / 1000.0) AS y FROM range(1000000)"
    )
    from dashboards.charts import build_figure, parse_spec

    figure = build_figure(
        parse_spec({"type": "line", "encodings": {"x": "x", "y": ["y"]}}), con, "big"
    )
    trace = figure["data"][0]
    assert figure["layout"]["meta"]["dashwire"]["is_downsampled"] is True
    assert len(trace["x"]) <= 5_000
    assert trace["x"][0] == 0 and trace["x"][-1] == 999_999
    assert max(trace["y"]) == pytest.approx(1.0, abs=1e-6)
    assert min(trace["y"]) == pytest.approx(-1.0, abs=1e-6)


def test_small_results_are_not_downsampled(draw: Draw) -> None:
    figure = draw(
        {"x": [3, 1, 2], "y": [1.0, 2.0, 3.0]},
        {"type": "line", "encodings": {"x": "x", "y": ["y"]}},
        max_points=16,
    )
    assert figure["data"][0]["x"] == [1, 2, 3]
    assert figure["layout"]["meta"]["dashwire"]["is_downsampled"] is False


def test_too_many_series_keeps_the_biggest(draw: Draw) -> None:
    series = [f"s{i}" for i in range(30) for _ in range(i + 1)]
    table = {"x": list(range(len(series))), "y": [1.0] * len(series), "s": series}
    figure = draw(
        table,
        {
            "type": "line",
            "encodings": {"x": "x", "y": ["y"], "series": "s"},
            "options": {"max_series": 5},
        },
    )
    assert sorted(trace["name"] for trace in figure["data"]) == ["s25", "s26", "s27", "s28", "s29"]
    assert figure["layout"]["meta"]["dashwire"]["omitted_series"] == 25
