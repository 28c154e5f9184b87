"""Charts over a result as the result store serves it: an Arrow IPC file (lz4) as a view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.ipc
import pytest

from dashboards.charts import ChartType, build_figure, parse_spec

SPECS: dict[ChartType, dict[str, Any]] = {
    ChartType.LINE: {
        "encodings": {"x": "i", "y": ["v"], "series": "k"},
        "options": {"has_trend_line": True},
    },
    ChartType.BAR: {"encodings": {"x": "k", "y": ["v"]}, "options": {"top_n": 2}},
    ChartType.BOX: {"encodings": {"x": "k", "y": ["v"]}},
    ChartType.PIVOT: {"encodings": {"rows": ["k"], "value": "v"}, "aggregation": "median"},
    ChartType.TABLE: {"options": {"page": 3, "page_size": 10}},
    ChartType.HISTOGRAM: {"encodings": {"x": "v"}},
}


@pytest.mark.parametrize("chart_type", list(SPECS))
def test_chart_over_an_arrow_file(tmp_path: Path, chart_type: ChartType) -> None:
    table = pa.table(
        {
            "i": list(range(3_000)),
            "k": [f"k{i % 7}" for i in range(3_000)],
            "v": [float(i % 101) for i in range(3_000)],
        }
    )
    path = tmp_path / "result.arrow"
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with (
        pa.OSFile(str(path), "wb") as sink,
        pa.ipc.new_file(sink, table.schema, options=options) as writer,
    ):
        writer.write_table(table, max_chunksize=500)
    con = duckdb.connect(":memory:", config={"enable_external_access": False})
    con.register("result", ds.dataset(str(path), format="ipc"))
    figure = build_figure(
        parse_spec({"type": chart_type, **SPECS[chart_type]}), con, "result", max_points=1_000
    )
    assert figure["data"], chart_type
