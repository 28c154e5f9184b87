"""The operators' command line: data sources, tokens, the demo."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dashboards.identity.tokens import authenticate_token
from dashboards.models import DataSource
from tests.conftest import build_duckdb_source

pytestmark = pytest.mark.django_db


def call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_datasource_add_list_remove(tmp_path: Path):
    path = tmp_path / "x.duckdb"
    build_duckdb_source(path)
    assert "added data source x" in call(
        "datasource", "add", "x", "--engine", "duckdb", "--path", str(path)
    )
    assert call("datasource", "list").startswith(f"x\tduckdb\t{path}")
    assert "removed" in call("datasource", "remove", "x")
    assert not DataSource.objects.exists()


def test_datasource_add_refuses_what_cannot_work(tmp_path: Path):
    with pytest.raises(CommandError, match="dsn"):
        call("datasource", "add", "pg", "--engine", "postgres")
    with pytest.raises(CommandError, match="cannot use pg"):
        call(
            "datasource",
            "add",
            "pg",
            "--engine",
            "postgres",
            "--dsn",
            "postgresql://nobody@127.0.0.1:1/none",
        )
    with pytest.raises(CommandError, match="lower-case letters, digits and _"):
        call("datasource", "add", "Bad Name", "--engine", "duckdb", "--path", str(tmp_path))
    assert not DataSource.objects.exists()


def test_token_create_prints_only_a_working_token(analyst):
    token = call("token", "create", analyst.username).strip()
    assert token.startswith("dw_") and "\n" not in token
    assert authenticate_token(token) == analyst


def test_the_demo_is_idempotent(settings, tmp_path: Path):
    settings.DEMO_DIR = tmp_path / "demo"
    first = call("demo")
    second = call("demo")
    assert "wrote" in first and "wrote" not in second
    assert set(DataSource.objects.values_list("name", flat=True)) == {"demo", "lake"}
    import duckdb
    from deltalake import DeltaTable

    con = duckdb.connect(str(tmp_path / "demo" / "demo.duckdb"), read_only=True)
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {
        "gapminder",
        "stocks",
        "tips",
        "election",
        "medals",
        "wind",
        "carshare",
        "iris",
    } <= tables
    assert DeltaTable(str(tmp_path / "demo" / "lake" / "gapminder")).version() >= 3
