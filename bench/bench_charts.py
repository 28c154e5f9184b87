"""Time from a cached result to a line chart's figure, over 5,000,000 rows.

The result is generated with DuckDB's range(), written as an Arrow IPC file (lz4, as the
result store writes them) and registered as a pyarrow dataset view on a DuckDB connection
opened like `dashboards.pipeline.result_store.open_result_connection` does. Prints
the median of 5 runs of `build_figure` and the figure's point count, beside DuckDB alone
running ``SELECT count(*)`` and a full-scan ``min``/``max`` over the same relation.

    .venv/bin/python bench/bench_charts.py [--rows 5000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.ipc

from dashboards.charts import build_figure, parse_spec


def _median_s(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _write_result(con: duckdb.DuckDBPyConnection, rows: int, folder: Path) -> Path:
    table = con.sql(
        "SELECT TIMESTAMP '2024-01-01' + to_seconds(range) AS at, "
        "sin(range / 20000.0) * 100 + (hash(range) % 1000) / 100.0 AS value, "
        "CASE WHEN range % 3 = 0 THEN 'a' WHEN range % 3 = 1 THEN 'b' ELSE 'c' END AS kind "
        f"FROM range({int(rows)})"
    ).to_arrow_table()
    path = folder / "result.arrow"
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with (
        pa.OSFile(str(path), "wb") as sink,
        pa.ipc.new_file(sink, table.schema, options=options) as writer,
    ):
        writer.write_table(table, max_chunksize=1 << 17)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = _write_result(duckdb.connect(), args.rows, Path(folder))
        file_mb = path.stat().st_size / 1e6
        con = duckdb.connect(":memory:", config={"enable_external_access": False, "threads": 2})
        con.register("result", ds.dataset(str(path), format="ipc"))

        line = parse_spec({"type": "line", "encodings": {"x": "at", "y": ["value"]}})
        per_kind = parse_spec(
            {"type": "line", "encodings": {"x": "at", "y": ["value"], "series": "kind"}}
        )
        figure = build_figure(line, con, "result")
        points = sum(len(trace["x"]) for trace in figure["data"])
        count_s = _median_s(lambda: con.sql("SELECT count(*) FROM result").fetchall(), args.runs)
        scan_s = _median_s(
            lambda: con.sql('SELECT min("at"), max(value) FROM result').fetchall(), args.runs
        )
        line_s = _median_s(lambda: build_figure(line, con, "result"), args.runs)
        series_s = _median_s(lambda: build_figure(per_kind, con, "result"), args.runs)

    print(f"rows: {args.rows:,} ({file_mb:.0f} MB as Arrow IPC with lz4)")
    print(f"duckdb count(*):                 {count_s * 1000:8.1f} ms (median of {args.runs})")
    print(f"duckdb min/max full scan:        {scan_s * 1000:8.1f} ms")
    print(f"line chart, relation -> figure:  {line_s * 1000:8.1f} ms, {points:,} points")
    print(f"line chart, 3 series:            {series_s * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
