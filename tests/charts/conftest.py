"""Fixtures: an in-memory DuckDB where a pyarrow table stands for a cached result."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from dashboards.charts import build_figure, parse_spec

Draw = Callable[..., dict[str, Any]]


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture
def draw(con: duckdb.DuckDBPyConnection) -> Draw:
    """draw(table, spec, max_points=...) -> the figure, checked to be plain JSON."""

    def _draw(table: pa.Table | dict[str, list[Any]], spec: dict[str, Any], **kwargs: Any) -> Any:
        result = table if isinstance(table, pa.Table) else pa.table(table)
        con.register("result", result)
        figure = build_figure(parse_spec(spec), con, "result", **kwargs)
        assert json.loads(json.dumps(figure, allow_nan=False)) == figure
        return figure

    return _draw
