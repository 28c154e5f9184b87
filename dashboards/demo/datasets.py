"""The demo: plotly's bundled data sets as a DuckDB data source `demo`, a Delta Lake data
source `lake` whose table has several versions, and a demo login. Idempotent: what exists
is kept."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import plotly.data
import pyarrow as pa
from deltalake import write_deltalake
from django.conf import settings
from django.contrib.auth import get_user_model

from dashboards.catalog.datasources import bump_data_version
from dashboards.demo.dashboards import load_demo_dashboards
from dashboards.models import DataSource, Engine

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-dashwire"

DATASETS: dict[str, Callable[[], pd.DataFrame]] = {
    "gapminder": plotly.data.gapminder,
    "stocks": plotly.data.stocks,
    "tips": plotly.data.tips,
    "election": plotly.data.election,
    "medals": plotly.data.medals_long,
    "wind": plotly.data.wind,
    "carshare": plotly.data.carshare,
    "iris": plotly.data.iris,
}


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def dataset_table(name: str) -> pa.Table:
    frame = DATASETS[name]().rename(columns=snake_case)
    if name == "stocks":
        frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return pa.Table.from_pandas(frame, preserve_index=False)


def build_duckdb_file(path: Path) -> None:
    """Write every data set into a new DuckDB file, renamed into place when complete."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    con = duckdb.connect(str(partial))
    try:
        for name in DATASETS:
            arrow_table = dataset_table(name)
            con.register("incoming", arrow_table)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
            con.unregister("incoming")
        geojson = json.dumps(plotly.data.election_geojson())
        con.execute("CREATE TABLE election_geojson (geojson JSON)")
        con.execute("INSERT INTO election_geojson VALUES (?)", [geojson])
    finally:
        con.close()
    partial.replace(path)


def build_delta_lake(folder: Path) -> None:
    """gapminder as a Delta table in four versions: three appends of growing year ranges,
    then an overwrite with every year, so time travel and history have something to show."""
    gapminder = dataset_table("gapminder")
    years = gapminder.column("year").to_pylist()
    table_path = str(folder / "gapminder")
    for version, (first, last) in enumerate([(1952, 1962), (1967, 1977), (1982, 1992)]):
        mask = pa.array([first <= year <= last for year in years])
        write_deltalake(
            table_path, gapminder.filter(mask), mode="overwrite" if version == 0 else "append"
        )
    write_deltalake(table_path, gapminder, mode="overwrite")
    write_deltalake(str(folder / "stocks"), dataset_table("stocks"))


def ensure_datasource(name: str, engine: Engine, path: Path) -> DataSource:
    datasource, created = DataSource.objects.get_or_create(
        name=name, defaults={"engine": engine, "path": str(path)}
    )
    if not created and datasource.path != str(path):
        datasource.path = str(path)
        datasource.save(update_fields=["path"])
        bump_data_version(datasource)
    return datasource


def load_demo() -> list[str]:
    """Create what is missing; return lines describing what was done."""
    done: list[str] = []
    demo_dir: Path = settings.DEMO_DIR
    demo_dir.mkdir(parents=True, exist_ok=True)
    duckdb_path = demo_dir / "demo.duckdb"
    if not duckdb_path.exists():
        build_duckdb_file(duckdb_path)
        done.append(f"wrote {duckdb_path}")
    lake = demo_dir / "lake"
    if not (lake / "gapminder" / "_delta_log").exists():
        build_delta_lake(lake)
        done.append(f"wrote Delta tables in {lake}")
    demo_source = ensure_datasource("demo", Engine.DUCKDB, duckdb_path)
    ensure_datasource("lake", Engine.DELTA, lake)
    users = get_user_model().objects
    if not users.filter(username=DEMO_USERNAME).exists():
        users.create_superuser(DEMO_USERNAME, "demo@example.com", DEMO_PASSWORD)
        done.append(f"created user {DEMO_USERNAME}")
    done += load_demo_dashboards(users.get(username=DEMO_USERNAME), demo_source)
    return done
