"""Spec validation: every error names the field at fault and says why."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from dashboards.charts import ChartError, build_figure, parse_spec

Draw = Callable[..., dict[str, Any]]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"type": "sankey"}, "type", "Input should be"),
        ({"type": "bar", "encodigns": {}}, "encodigns", "Extra inputs"),
        (
            {"type": "bar", "options": {"number_format": "dollars"}},
            "options.number_format",
            "not a d3-format",
        ),
        (
            {"type": "line", "options": {"date_format": "%Y-%q"}},
            "options.date_format",
            "unsupported directive %q",
        ),
        (
            {"type": "line", "options": {"date_format": "YYYY"}},
            "options.date_format",
            "no %-directive",
        ),
        ({"type": "pie", "options": {"hole": 1.5}}, "options.hole", "less than 1"),
        (
            {"type": "bar", "options": {"colours": {"palette": ["#12345"]}}},
            "options.colours.palette[0]",
            "not a colour",
        ),
        (
            {
                "type": "table",
                "options": {
                    "conditional_colours": [{"column": "a", "op": "~", "value": 1, "colour": "red"}]
                },
            },
            "options.conditional_colours[0].op",
            "Input should be",
        ),
        (
            {"type": "choropleth", "options": {"geojson": "https://cdn.example/x.json"}},
            "options.geojson",
            "path on this site",
        ),
        ({"type": "counter", "options": {"counter_row": 0}}, "options.counter_row", "not 0"),
        ({"type": "bar", "options": {"top_n": 0}}, "options.top_n", "greater than or equal"),
    ],
)
def test_parse_spec_names_the_field(data: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(ChartError, match=rf"^{re.escape(field)}: .*{re.escape(words)}") as caught:
        parse_spec(data)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": "line", "encodings": {"y": ["v"]}}, "encodings.x"),
        ({"type": "line", "encodings": {"x": "k"}}, "encodings.y"),
        ({"type": "bubble", "encodings": {"x": "k", "y": ["v"]}}, "encodings.size"),
        ({"type": "heatmap", "encodings": {"x": "k", "y": ["v", "w"]}}, "encodings.y"),
        ({"type": "counter"}, "encodings.value"),
        ({"type": "map_points", "encodings": {"lat": "v"}}, "encodings.lon"),
        (
            {"type": "choropleth", "encodings": {"location": "k", "location_mode": "geojson"}},
            "options.geojson",
        ),
        ({"type": "pivot"}, "encodings.rows"),
        ({"type": "table", "sort": {"by": "column"}}, "sort.column"),
    ],
)
def test_missing_encodings_name_the_field(
    con: duckdb.DuckDBPyConnection, data: dict[str, Any], field: str
) -> None:
    con.register("result", pa.table({"k": ["a"], "v": [1.0]}))
    with pytest.raises(ChartError, match=rf"^{re.escape(field)}: ") as caught:
        build_figure(parse_spec(data), con, "result")
    assert caught.value.field == field


def test_unknown_column_is_named(draw: Draw) -> None:
    with pytest.raises(ChartError, match=r"^encodings\.y\[1\]: .*'vv'.*'k', 'v'") as caught:
        draw({"k": ["a"], "v": [1]}, {"type": "bar", "encodings": {"x": "k", "y": ["v", "vv"]}})
    assert caught.value.field == "encodings.y[1]"


def test_summing_text_is_refused_before_running(draw: Draw) -> None:
    with pytest.raises(ChartError, match=r"^encodings\.y\[0\]: .*text values") as caught:
        draw({"k": ["a"], "t": ["x"]}, {"type": "bar", "encodings": {"x": "k", "y": ["t"]}})
    assert caught.value.field == "encodings.y[0]"


def test_unknown_relation(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ChartError, match="cannot be read"):
        build_figure(parse_spec({"type": "table"}), con, "nowhere")


HOSTILE_NAMES = [
    "total sales",
    'say "hi"',
    "x); DROP TABLE secrets; --",
    "{relation}",
    "naïve ünïcode",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_column_names_are_quoted(
    draw: Draw, con: duckdb.DuckDBPyConnection, name: str
) -> None:
    con.execute("CREATE TABLE secrets AS SELECT 1 AS s")
    table = {name: ["a", "b", "a"], f"{name} value": [1.0, 2.0, 3.0]}
    figure = draw(table, {"type": "bar", "encodings": {"x": name, "y": [f"{name} value"]}})
    assert figure["data"][0]["x"] == ["a", "b"]
    assert figure["data"][0]["y"] == [4.0, 2.0]
    assert figure["layout"]["xaxis"]["title"]["text"] == name
    assert con.execute("SELECT count(*) FROM secrets").fetchone() == (1,)


def test_hostile_relation_name(con: duckdb.DuckDBPyConnection) -> None:
    name = 'my "result"; DROP TABLE t'
    con.register(name, pa.table({"v": [1, 2]}))
    figure = build_figure(parse_spec({"type": "table"}), con, name)
    assert figure["data"][0]["cells"]["values"] == [[1, 2]]


def test_values_are_parameters_not_text(draw: Draw) -> None:
    rule = {"column": "k", "op": "=", "value": "a' OR '1'='1", "colour": "red"}
    figure = draw(
        {"k": ["a", "a' OR '1'='1"]}, {"type": "table", "options": {"conditional_colours": [rule]}}
    )
    assert figure["data"][0]["cells"]["fill"]["color"] == [["rgba(0,0,0,0)", "red"]]
