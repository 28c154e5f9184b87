"""Table figures: a page of rows, formats, conditional colours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa

Draw = Callable[..., dict[str, Any]]

PEOPLE = pa.table(
    {
        "name": ["ada", "bob", "cy", "dee"],
        "born": [
            dt.datetime(1990, 5, 1, 12, 30, 15, 250_000),
            dt.datetime(1985, 1, 2),
            None,
            dt.datetime(2001, 12, 31),
        ],
        "score": [Decimal("91.5"), Decimal("42.0"), Decimal("77.25"), None],
        "ratio": [0.5, float("nan"), 1.5, 2.0],
    }
)


def test_table_page_and_sort(draw: Draw) -> None:
    figure = draw(
        PEOPLE,
        {
            "type": "table",
            "encodings": {"columns": ["name", "score"]},
            "sort": {"by": "column", "column": "score", "order": "desc"},
            "options": {"page": 2, "page_size": 2, "number_format": ".1f"},
        },
    )
    (trace,) = figure["data"]
    assert trace["type"] == "table"
    assert trace["header"]["values"] == ["name", "score"]
    assert trace["cells"]["values"] == [["bob", "dee"], [42.0, None]]
    assert trace["cells"]["format"] == ["", ".1f"]
    assert trace["cells"]["align"] == ["left", "right"]
    assert figure["layout"]["meta"]["dashwire"]["total_rows"] == 4


def test_table_values_are_json(draw: Draw) -> None:
    figure = draw(PEOPLE, {"type": "table"})
    born, score, ratio = figure["data"][0]["cells"]["values"][1:]
    assert born[0] == "1990-05-01T12:30:15.250000" and born[2] is None
    assert score[:3] == [91.5, 42.0, 77.25]
    assert ratio[1] is None


def test_table_date_format(draw: Draw) -> None:
    figure = draw(
        PEOPLE,
        {
            "type": "table",
            "encodings": {"columns": ["born"]},
            "options": {"date_format": "%d/%m/%Y %H:%M:%S.%L"},
        },
    )
    assert figure["data"][0]["cells"]["values"][0][:2] == [
        "01/05/1990 12:30:15.250",
        "02/01/1985 00:00:00.000",
    ]


def test_conditional_colours(draw: Draw) -> None:
    rules = [
        {"column": "score", "op": ">=", "value": 50, "colour": "#00ff00"},
        {"column": "score", "op": ">", "value": 90, "colour": "gold"},
        {"column": "name", "op": "contains", "value": "B", "colour": "rgb(1,2,3)"},
        {"column": "score", "op": "=", "value": "42", "colour": "red"},
    ]
    figure = draw(
        PEOPLE,
        {
            "type": "table",
            "encodings": {"columns": ["name", "score"]},
            "options": {"conditional_colours": rules},
        },
    )
    plain = "rgba(0,0,0,0)"
    assert figure["data"][0]["cells"]["fill"]["color"] == [
        [plain, "rgb(1,2,3)", plain, plain],
        ["gold", plain, "#00ff00", plain],
    ]
