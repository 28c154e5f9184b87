"""Counter figures: value, target, delta against the previous row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Draw = Callable[..., dict[str, Any]]

MONTHS = {
    "month": ["jan", "feb", "mar"],
    "revenue": [100.0, 120.0, 90.0],
    "goal": [110.0, 110.0, 100.0],
}


def test_counter_first_row(draw: Draw) -> None:
    figure = draw(
        MONTHS,
        {
            "type": "counter",
            "encodings": {"value": "revenue"},
            "options": {"number_format": "$,.0f"},
        },
    )
    (trace,) = figure["data"]
    assert trace["type"] == "indicator" and trace["mode"] == "number"
    assert trace["value"] == 100.0
    assert trace["number"]["valueformat"] == "$,.0f"
    assert trace["title"]["text"] == "revenue"


def test_counter_against_target(draw: Draw) -> None:
    figure = draw(MONTHS, {"type": "counter", "encodings": {"value": "revenue", "target": "goal"}})
    (trace,) = figure["data"]
    assert trace["mode"] == "number+delta"
    assert trace["delta"]["reference"] == 110.0


def test_counter_last_row_delta_and_target_gauge(draw: Draw) -> None:
    figure = draw(
        MONTHS,
        {
            "type": "counter",
            "encodings": {"value": "revenue", "target": "goal"},
            "options": {"counter_row": -1, "has_delta": True},
        },
    )
    (trace,) = figure["data"]
    assert trace["value"] == 90.0
    assert trace["mode"] == "number+delta+gauge"
    assert trace["delta"]["reference"] == 120.0
    assert trace["gauge"]["threshold"]["value"] == 100.0
    assert figure["layout"]["meta"]["dashwire"] == {
        "type": "counter",
        "value": 90.0,
        "target": 100.0,
        "previous": 120.0,
    }


@pytest.mark.parametrize(
    ("aggregation", "expected"), [("sum", 310.0), ("avg", 310.0 / 3), ("count", 3), ("max", 120.0)]
)
def test_counter_aggregates(draw: Draw, aggregation: str, expected: float) -> None:
    figure = draw(
        MONTHS, {"type": "counter", "encodings": {"value": "revenue"}, "aggregation": aggregation}
    )
    assert figure["data"][0]["value"] == pytest.approx(expected)


def test_counter_row_outside_result(draw: Draw) -> None:
    figure = draw(
        MONTHS,
        {"type": "counter", "encodings": {"value": "revenue"}, "options": {"counter_row": 9}},
    )
    assert figure["data"][0]["value"] is None
