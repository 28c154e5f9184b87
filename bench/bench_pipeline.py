"""Query pipeline benchmark: cached and uncached runs through the REST API beside the same
query in DuckDB in-process, and download throughput of a 1,000,000-row result.

Run: .venv/bin/python bench/bench_pipeline.py  (starts its own web + worker on embedded
defaults; REDIS_URL / DATABASE_URL in the environment switch broker and metadata DB)."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.stack import Stack, running_stack

SMALL_SQL = (
    "SELECT continent, count(*) AS n, avg(life_exp) AS life FROM gapminder GROUP BY 1 ORDER BY 1"
)
MILLION_SQL = "SELECT i AS id, i * 0.5 AS value, 'row ' || i AS label FROM range(1000000) t(i)"
TERMINAL = {"succeeded", "failed", "cancelled"}


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(session: requests.Session, stack: Stack, sql: str, max_age_s: float) -> dict[str, object]:
    body = session.post(
        f"{stack.url}/api/runs", json={"datasource": "demo", "sql": sql, "max_age_s": max_age_s}
    ).json()
    while body["status"] not in TERMINAL:
        time.sleep(0.005)
        body = session.get(f"{stack.url}/api/runs/{body['id']}").json()
    assert body["status"] == "succeeded", body
    return body


def main() -> None:
    with running_stack() as stack:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {stack.token}"
        run(session, stack, SMALL_SQL, 3600)  # warm the cache

        cached = timed(lambda: run(session, stack, SMALL_SQL, 3600), 200)

        def cached_with_rows() -> None:
            body = run(session, stack, SMALL_SQL, 3600)
            session.get(f"{stack.url}/api/runs/{body['id']}/result").raise_for_status()

        cached_rows = timed(cached_with_rows, 200)
        counter = iter(range(10**9))
        uncached = timed(
            lambda: run(session, stack, f"{SMALL_SQL} LIMIT {1000 + next(counter)}", 0), 30
        )
        con = duckdb.connect(str(stack.data_dir / "demo" / "demo.duckdb"), read_only=True)
        in_process = timed(lambda: con.sql(SMALL_SQL).fetchall(), 200)

        print("query pipeline (web + worker on embedded defaults: SQLite, filesystem broker)")
        for name, samples in [
            ("cached run, POST /api/runs", cached),
            ("cached run + first page of rows", cached_rows),
            ("uncached small query, submit -> succeeded", uncached),
            ("DuckDB in-process, same query (baseline)", in_process),
        ]:
            p50, p99 = statistics.median(samples), percentile(samples, 0.99)
            print(f"  {name:45s} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms")
        ratio = statistics.median(uncached) / statistics.median(in_process)
        print(f"  uncached / in-process p50 ratio: {ratio:.1f}x")

        big = run(session, stack, MILLION_SQL, 3600)
        for fmt in ("arrow", "csv", "parquet"):
            samples = []
            for _ in range(5):
                started = time.perf_counter()
                with session.get(
                    f"{stack.url}/api/runs/{big['id']}/result", params={"format": fmt}, stream=True
                ) as response:
                    size = sum(len(chunk) for chunk in response.iter_content(1 << 20))
                samples.append(time.perf_counter() - started)
            seconds = statistics.median(samples)
            rate = 1_000_000 / seconds
            print(f"  download format={fmt:8s} 1,000,000 rows: {rate:12,.0f} rows/s", end="")
            print(f"  ({size / 1e6:.1f} MB, {seconds * 1000:.0f} ms)")
        baseline = timed(lambda: con.sql(MILLION_SQL).to_arrow_table(), 5)
        rate = 1_000_000 / (statistics.median(baseline) / 1000)
        print(f"  DuckDB in-process to_arrow_table, same rows (baseline): {rate:12,.0f} rows/s")


if __name__ == "__main__":
    main()
