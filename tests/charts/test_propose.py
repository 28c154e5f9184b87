"""propose_chart: the first chart offered for a result, from its column types."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from dashboards.charts import ChartType, propose_chart

TIME, DAY = pa.timestamp("us"), pa.date32()
NUM, DEC, TEXT, FLAG = pa.float64(), pa.decimal128(12, 2), pa.string(), pa.bool_()

CASES: list[tuple[str, list[tuple[str, pa.DataType]], int, ChartType, dict[str, Any]]] = [
    ("empty result", [("v", NUM)], 0, ChartType.TABLE, {}),
    ("no columns", [], 5, ChartType.TABLE, {}),
    (
        "time and numbers",
        [("at", TIME), ("a", NUM), ("b", pa.int32())],
        50,
        ChartType.LINE,
        {"x": "at", "y": ["a", "b"], "series": None},
    ),
    (
        "date, category, number",
        [("d", DAY), ("ticker", TEXT), ("price", DEC)],
        50,
        ChartType.LINE,
        {"x": "d", "y": ["price"], "series": "ticker"},
    ),
    (
        "many numbers over time",
        [("d", DAY)] + [(f"n{i}", NUM) for i in range(8)],
        9,
        ChartType.LINE,
        {"y": ["n0", "n1", "n2", "n3", "n4"]},
    ),
    (
        "category and number",
        [("country", TEXT), ("pop", pa.int64())],
        200,
        ChartType.BAR,
        {"x": "country", "y": ["pop"], "series": None},
    ),
    (
        "two categories and number",
        [("c", TEXT), ("k", FLAG), ("v", NUM)],
        20,
        ChartType.BAR,
        {"x": "c", "y": ["v"], "series": "k"},
    ),
    (
        "dictionary category",
        [("c", pa.dictionary(pa.int32(), pa.string())), ("v", NUM)],
        3,
        ChartType.BAR,
        {"x": "c"},
    ),
    (
        "two numbers",
        [("height", NUM), ("weight", NUM)],
        100,
        ChartType.SCATTER,
        {"x": "height", "y": ["weight"]},
    ),
    (
        "one row of numbers",
        [("label", TEXT), ("total", NUM), ("avg", NUM)],
        1,
        ChartType.COUNTER,
        {"value": "total"},
    ),
    (
        "lat/lon",
        [("name", TEXT), ("Latitude", NUM), ("LNG", NUM)],
        10,
        ChartType.MAP_POINTS,
        {"lat": "Latitude", "lon": "LNG"},
    ),
    ("lat as text is no map", [("lat", TEXT), ("lon", TEXT)], 10, ChartType.TABLE, {}),
    ("texts only", [("a", TEXT), ("b", TEXT)], 10, ChartType.TABLE, {}),
    ("one number", [("n", NUM)], 10, ChartType.TABLE, {}),
    ("binary", [("blob", pa.binary()), ("n", NUM)], 10, ChartType.TABLE, {}),
]


@pytest.mark.parametrize(
    ("columns", "rows", "chart_type", "encodings"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_propose_chart(
    columns: list[tuple[str, pa.DataType]],
    rows: int,
    chart_type: ChartType,
    encodings: dict[str, Any],
) -> None:
    spec = propose_chart(columns, rows)
    assert spec.type is chart_type
    for field, expected in encodings.items():
        assert getattr(spec.encodings, field) == expected
