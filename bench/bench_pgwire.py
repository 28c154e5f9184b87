"""Wire endpoint benchmark: dashwire's PostgreSQL endpoint beside real PostgreSQL 15 and
DuckDB in-process, on the same TPC-H data, in one run.

Run: .venv/bin/python bench/bench_pgwire.py [--scale 1] [--rounds 3]

Steps:
1. Generate TPC-H parquet with `tpchgen-cli` into a cache folder (kept between runs), load it
   into a DuckDB file and into PostgreSQL database `dw_bench_sf<scale>` on 127.0.0.1:5432
   (user postgres; only that database is ever created or replaced).
2. Start a throwaway stack with the wire endpoint, the DuckDB file added as data source
   `tpch`, and the wire result cache off (`PGWIRE_CACHE_MAX_AGE_S=0`), so engine latency is
   measured; a second, short pass with the cache on shows cached answers.
3. Measure `SELECT 1` round trips (simple and extended protocol; the wire endpoint answers
   them from memory, their result being fixed by their text), a one-row lookup that runs
   on the engine, connections per second (one client, then two client processes, as one
   libpq client spends ~2.5 ms of CPU on SCRAM hashing per login), TPC-H
   Q1/Q3/Q5/Q6/Q10/Q18 and streaming 1,000,000 lineitem rows with psycopg text, psycopg
   binary and asyncpg; print medians and ratios against PostgreSQL and DuckDB.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import asyncpg
import duckdb
import psycopg
from psycopg.conninfo import conninfo_to_dict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.stack import Stack, free_port, running_stack

CACHE_DIR = Path(os.environ.get("TPCH_CACHE_DIR", "/tmp/dashwire-tpch"))
PG_DSN = "host=127.0.0.1 port=5432 user=postgres sslmode=disable"
TABLES = ["region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"]
DEMO_LOGIN = "user=demo password=demo-dashwire"  # dashboards/demo (importing it needs Django)
STREAM_SQL = "SELECT * FROM lineitem LIMIT 1000000"
STREAM_ROWS = 1_000_000

QUERIES = {
    "Q1": """SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty,
  sum(l_extendedprice) AS sum_base_price,
  sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
  sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
  avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price,
  avg(l_discount) AS avg_disc, count(*) AS count_order
FROM lineitem WHERE l_shipdate <= date '1998-12-01' - interval '90' day
GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus""",
    "Q3": """SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue,
  o_orderdate, o_shippriority
FROM customer, orders, lineitem
WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
  AND o_orderdate < date '1995-03-15' AND l_shipdate > date '1995-03-15'
GROUP BY l_orderkey, o_orderdate, o_shippriority
ORDER BY revenue DESC, o_orderdate LIMIT 10""",
    "Q5": """SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
FROM customer, orders, lineitem, supplier, nation, region
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey
  AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey
  AND n_regionkey = r_regionkey AND r_name = 'ASIA'
  AND o_orderdate >= date '1994-01-01' AND o_orderdate < date '1995-01-01'
GROUP BY n_name ORDER BY revenue DESC""",
    "Q6": """SELECT sum(l_extendedprice * l_discount) AS revenue FROM lineitem
WHERE l_shipdate >= date '1994-01-01' AND l_shipdate < date '1995-01-01'
  AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24""",
    "Q10": """SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue,
  c_acctbal, n_name, c_address, c_phone, c_comment
FROM customer, orders, lineitem, nation
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey
  AND o_orderdate >= date '1993-10-01' AND o_orderdate < date '1994-01-01'
  AND l_returnflag = 'R' AND c_nationkey = n_nationkey
GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment
ORDER BY revenue DESC LIMIT 20""",
    "Q18": """SELECT c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice, sum(l_quantity)
FROM customer, orders, lineitem
WHERE o_orderkey IN (
    SELECT l_orderkey FROM lineitem GROUP BY l_orderkey HAVING sum(l_quantity) > 300)
  AND c_custkey = o_custkey AND o_orderkey = l_orderkey
GROUP BY c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice
ORDER BY o_totalprice DESC, o_orderdate LIMIT 100""",
}


@dataclass
class Figure:
    """One measured figure: the samples of one endpoint for one workload."""

    workload: str
    endpoint: str
    unit: str  # "ms" (lower is better) or "/s" (higher is better)
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def seconds_of(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# 1. data -------------------------------------------------------------------------------


def prepare_data(scale: float) -> tuple[Path, str]:
    """Return the DuckDB file and PostgreSQL database holding TPC-H at `scale`."""
    folder = CACHE_DIR / f"sf{scale:g}"
    duck_path = folder / "tpch.duckdb"
    database = f"dw_bench_sf{scale:g}".replace(".", "_")
    if not (folder / "lineitem.parquet").exists():
        folder.mkdir(parents=True, exist_ok=True)
        tpchgen = shutil.which("tpchgen-cli") or str(Path(sys.executable).with_name("tpchgen-cli"))
        subprocess.run([tpchgen, "parquet", "-s", f"{scale:g}", "-o", str(folder)], check=True)
    if not duck_path.exists():
        partial = duck_path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        with duckdb.connect(str(partial)) as con:
            for table in TABLES:
                con.execute(f"CREATE TABLE {table} AS SELECT * FROM '{folder / table}.parquet'")
        partial.rename(duck_path)
    load_postgres(database, folder, duck_path)
    return duck_path, database


def load_postgres(database: str, folder: Path, duck_path: Path) -> None:
    with psycopg.connect(PG_DSN + " dbname=postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if exists.fetchone() is not None:
            with psycopg.connect(f"{PG_DSN} dbname={database}") as con:
                done = con.execute("SELECT to_regclass('bench_loaded') IS NOT NULL").fetchone()
            if done is not None and done[0]:
                return
            admin.execute(f"DROP DATABASE {database}")
        admin.execute(f"CREATE DATABASE {database}")
    types = {"BIGINT": "bigint", "INTEGER": "integer", "VARCHAR": "text", "DATE": "date"}
    with (
        duckdb.connect(str(duck_path), read_only=True) as duck,
        psycopg.connect(f"{PG_DSN} dbname={database}", autocommit=True) as con,
    ):
        for table in TABLES:
            columns = duck.execute(f"DESCRIBE {table}").fetchall()
            ddl = ", ".join(
                f"{name} {types.get(kind, kind.replace('DECIMAL', 'numeric'))}"
                for name, kind, *_ in columns
            )
            con.execute(f"CREATE TABLE {table} ({ddl})")
            csv = folder / f"{table}.csv"
            duck.execute(f"COPY {table} TO '{csv}' (HEADER false)")
            with (
                con.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy,
                open(csv, "rb") as source,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            csv.unlink()
        con.execute("VACUUM ANALYZE")
        con.execute("CREATE TABLE bench_loaded ()")


# 2. workloads ----------------------------------------------------------------------------


def rate_per_s(action: Callable[[], object], round_s: float, rounds: int) -> list[float]:
    """Actions per second in `rounds` rounds of about `round_s` each (at least 3 actions a
    round), so a slow endpoint costs no more time than a fast one."""
    samples = []
    for _ in range(rounds):
        count, started = 0, time.perf_counter()
        while count < 3 or time.perf_counter() - started < round_s:
            action()
            count += 1
        samples.append(count / (time.perf_counter() - started))
    return samples


LOOKUP_SQL = "SELECT n_name FROM nation WHERE n_nationkey = 7"


def select_one_per_s(dsn: str, params: bool, rounds: int, sql: str = "SELECT 1") -> list[float]:
    """Round trips per second; with `params` psycopg uses the extended protocol (and
    prepares the statement after 5 uses), without it the simple protocol."""
    args = (1,) if params else None
    sql = "SELECT %s::int" if params else sql
    with psycopg.connect(dsn, autocommit=True) as con, con.cursor() as cur:

        def round_trip() -> None:
            cur.execute(sql, args)
            cur.fetchall()

        for _ in range(10):
            round_trip()
        return rate_per_s(round_trip, 0.5, rounds)


def connect_once(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute("SELECT 1").fetchall()


def connections_per_s(dsn: str, rounds: int) -> list[float]:
    return rate_per_s(partial(connect_once, dsn), 1.0, rounds)


def connections_in_a_second(dsn: str) -> int:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < 1.0:
        connect_once(dsn)
        count += 1
    return count


def parallel_connections_per_s(dsn: str, clients: int, rounds: int) -> list[float]:
    """Connections per second of `clients` client processes together: what the server
    accepts when one client's own SCRAM hashing (~2.5 ms of libpq CPU a login) is not
    the limit."""
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        pool.map(connect_once, [dsn] * clients)  # start the processes before measuring
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            counts = pool.map(connections_in_a_second, [dsn] * clients)
            samples.append(sum(counts) / (time.perf_counter() - started))
    return samples


def query_ms(run: Callable[[str], object], sql: str, rounds: int) -> list[float]:
    return [seconds_of(lambda: run(sql)) * 1000 for _ in range(rounds)]


def psycopg_runner(dsn: str) -> Callable[[str], object]:
    con = psycopg.connect(dsn, autocommit=True)
    return lambda sql: con.execute(sql).fetchall()


def stream_psycopg(dsn: str, binary: bool) -> int:
    with psycopg.connect(dsn, autocommit=True) as con, con.cursor(binary=binary) as cur:
        cur.execute(STREAM_SQL)
        rows = 0
        while batch := cur.fetchmany(10_000):
            rows += len(batch)
    return rows


def stream_asyncpg(dsn: str) -> int:
    async def fetch() -> int:
        params = conninfo_to_dict(dsn)
        con = await asyncpg.connect(
            host=params["host"],
            port=int(str(params["port"])),
            user=params["user"],
            password=params.get("password"),
            database=params["dbname"],
            ssl=False,
        )
        try:
            return len(await con.fetch(STREAM_SQL))
        finally:
            await con.close()

    return asyncio.run(fetch())


def rows_per_s(fetch: Callable[[], int], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        rows = fetch()
        samples.append(rows / (time.perf_counter() - started))
        assert rows == STREAM_ROWS, rows
    return samples


# 3. report -------------------------------------------------------------------------------


def ratio(figure: Figure, reference: Figure | None) -> str:
    if reference is None:
        return "-"
    value = figure.median / reference.median
    if figure.unit == "/s":  # show how many times slower: >1 is worse, as for latency
        value = 1 / value
    return f"{value:.2f}x"


def print_table(figures: list[Figure]) -> None:
    print(
        f"{'workload':30s} {'endpoint':28s} {'median':>14s} {'n':>3s}"
        f" {'vs PG':>8s} {'vs DuckDB':>10s}"
    )
    by_key = {(f.workload, f.endpoint): f for f in figures}
    for figure in figures:
        pg = by_key.get((figure.workload, "postgres 15"))
        duck = by_key.get((figure.workload, "duckdb in-process"))
        value = f"{figure.median:,.1f} {figure.unit}"
        print(
            f"{figure.workload:30s} {figure.endpoint:28s} {value:>14s} {len(figure.samples):3d}"
            f" {ratio(figure, pg):>8s} {ratio(figure, duck):>10s}"
        )


def wait_for_wire(dsn: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(dsn, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def measure(
    args: argparse.Namespace, duck_path: Path, pg_dsn: str, wire_dsn: str, token_dsn: str
) -> list[Figure]:
    rounds = args.rounds
    figures: list[Figure] = []
    duck = duckdb.connect(
        str(duck_path), read_only=True, config={"threads": 2, "memory_limit": "2GB"}
    )
    pg_run, wire_run = psycopg_runner(pg_dsn), psycopg_runner(wire_dsn)
    endpoints: list[tuple[str, str]] = [("postgres 15", pg_dsn), ("dashwire wire", wire_dsn)]

    for label, params in [("SELECT 1 simple", False), ("SELECT $1 extended", True)]:
        for name, dsn in endpoints:
            figures.append(Figure(label, name, "/s", select_one_per_s(dsn, params, 5)))
        duck_sql = "SELECT ?::int" if params else "SELECT 1"
        duck_args = [1] if params else None

        def duck_once(sql: str = duck_sql, duck_params: list[int] | None = duck_args) -> None:
            duck.execute(sql, duck_params).fetchall()

        samples = rate_per_s(duck_once, 0.5, 5)
        figures.append(Figure(label, "duckdb in-process", "/s", samples))

    # `SELECT 1` is answered from memory (its result is fixed by its text); a one-row
    # lookup shows what a statement that runs on the engine costs
    for name, dsn in endpoints:
        samples = select_one_per_s(dsn, False, 5, LOOKUP_SQL)
        figures.append(Figure("one-row lookup (nation)", name, "/s", samples))
    samples = rate_per_s(lambda: duck.execute(LOOKUP_SQL).fetchall(), 0.5, 5)
    figures.append(Figure("one-row lookup (nation)", "duckdb in-process", "/s", samples))

    logins = [*endpoints, ("dashwire wire, token login", token_dsn)]
    for name, dsn in logins:
        figures.append(Figure("connect+SELECT 1+close", name, "/s", connections_per_s(dsn, 5)))
    for name, dsn in logins:
        samples = parallel_connections_per_s(dsn, 2, 5)
        figures.append(Figure("connect+SELECT 1+close, 2 clients", name, "/s", samples))

    for query, sql in QUERIES.items():
        duck.execute(sql).fetchall()  # warm the buffer pool, as the servers' first round does
        figures.append(
            Figure(
                f"TPC-H {query}",
                "duckdb in-process",
                "ms",
                query_ms(lambda s: duck.execute(s).fetchall(), sql, 5),
            )
        )
        figures.append(Figure(f"TPC-H {query}", "postgres 15", "ms", query_ms(pg_run, sql, rounds)))
        wire_run(sql)
        figures.append(
            Figure(f"TPC-H {query}", "dashwire wire (cold)", "ms", query_ms(wire_run, sql, 5))
        )

    figures.append(
        Figure(
            "1M lineitem rows",
            "duckdb in-process (arrow)",
            "/s",
            rows_per_s(lambda: duck.sql(STREAM_SQL).to_arrow_table().num_rows, rounds),
        )
    )
    clients: list[tuple[str, Callable[[str], int]]] = [
        ("psycopg text", lambda dsn: stream_psycopg(dsn, False)),
        ("psycopg binary", lambda dsn: stream_psycopg(dsn, True)),
        ("asyncpg", stream_asyncpg),
    ]
    for client, fetch in clients:
        for name, dsn in endpoints:
            label = f"{name} / {client}"
            try:
                samples = rows_per_s(partial(fetch, dsn), rounds)
            except Exception as error:  # report a failing client, keep measuring the rest
                print(f"FAILED {label}: {type(error).__name__}: {error}")
                continue
            figures.append(Figure(f"1M rows {client}", name, "/s", samples))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="TPC-H scale factor")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the slow workloads")
    args = parser.parse_args()
    started = time.perf_counter()
    duck_path, database = prepare_data(args.scale)
    print(f"data ready in {time.perf_counter() - started:.0f} s: {duck_path}, postgres/{database}")

    wire_port = free_port()
    env = {"PGWIRE_PORT": str(wire_port), "PGWIRE_CACHE_MAX_AGE_S": "0"}

    def add_tpch(stack: Stack) -> None:
        stack.manage("datasource", "add", "tpch", "--engine", "duckdb", "--path", str(duck_path))

    with running_stack(env, without=("beat",), setup=add_tpch) as stack:
        wire_dsn = f"host=127.0.0.1 port={wire_port} dbname=tpch {DEMO_LOGIN} sslmode=disable"
        # both logins' SCRAM verifiers have 4,096 iterations (dashboards/wire_credentials.py),
        # which libpq recomputes at every connection
        token_dsn = (
            f"host=127.0.0.1 port={wire_port} dbname=tpch user=token password={stack.token}"
            " sslmode=disable"
        )
        pg_dsn = f"{PG_DSN} dbname={database}"
        wait_for_wire(wire_dsn)
        figures = measure(args, duck_path, pg_dsn, wire_dsn, token_dsn)

    cached: list[Figure] = []
    env["PGWIRE_CACHE_MAX_AGE_S"] = "3600"
    with running_stack(env, without=("beat",), setup=add_tpch):
        wait_for_wire(wire_dsn)
        wire_run = psycopg_runner(wire_dsn)
        for query, sql in QUERIES.items():
            wire_run(sql)  # fills the cache
            cached.append(
                Figure(f"TPC-H {query}", "dashwire wire (cached)", "ms", query_ms(wire_run, sql, 5))
            )

    load = os.getloadavg()
    print(f"\nwire endpoint vs PostgreSQL 15 vs DuckDB in-process, TPC-H SF{args.scale:g}")
    print(
        "(medians; ratios are times slower than the reference, >1 = slower;"
        f" load avg {load[0]:.2f})"
    )
    print("PostgreSQL auth is trust on 127.0.0.1 (no SCRAM); the wire endpoint uses SCRAM-SHA-256;")
    print("both without TLS. Wire result cache off (PGWIRE_CACHE_MAX_AGE_S=0) except 'cached'.\n")
    by_workload: dict[str, list[Figure]] = {}
    for figure in figures + cached:
        by_workload.setdefault(figure.workload, []).append(figure)
    print_table([f for group in by_workload.values() for f in group])
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
