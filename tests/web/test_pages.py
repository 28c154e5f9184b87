"""First run, access control of the pages, formatting, run refusals, history, data sources."""

from __future__ import annotations

import json

from django.contrib.auth.models import User
from django.test import Client

from dashboards.models import DataSource, QueryRun


def test_first_run_page_only_while_no_user_exists(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.get("/login/")["Location"] == "/setup/"
    weak = {"username": "boss", "password": "short", "password_again": "short"}
    assert b"too short" in client.post("/setup/", weak).content
    ok = {"username": "boss", "password": "a-long-password", "password_again": "a-long-password"}
    assert client.post("/setup/", ok)["Location"] == "/datasources/"
    assert User.objects.get().is_superuser
    assert Client().get("/setup/")["Location"] == "/login/"


def test_pages_need_a_login(analyst) -> None:  # type: ignore[no-untyped-def]
    for path in ("/editor/", "/queries/", "/history/", "/datasources/"):
        assert Client().get(path)["Location"].startswith("/login/?next=")


def test_format_keeps_parameters_and_reports_positions(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    def fmt(sql: str):  # type: ignore[no-untyped-def]
        body = json.dumps({"sql": sql, "datasource": "shop"})
        return analyst_web.post("/editor/format", body, content_type="application/json")

    answer = fmt("select a,b from t where d > {{ since }};").json()
    assert answer["sql"] == "SELECT\n  a,\n  b\nFROM t\nWHERE\n  d > {{ since }};"
    broken = fmt("select a from t where (a > ")
    assert broken.status_code == 400 and broken.json()["position"] is not None


def test_run_refusals_answer_at_once_with_a_position(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    def run(sql: str, **extra):  # type: ignore[no-untyped-def]
        body = json.dumps({"sql": sql, "datasource": "shop", **extra})
        return analyst_web.post("/editor/run", body, content_type="application/json")

    missing = run("SELECT * FROM sales WHERE region = {{ region }}")
    assert missing.status_code == 400
    assert missing.json()["error"] == {"message": "parameter region needs a value", "position": 36}
    refused = run("DROP TABLE sales")
    assert (
        refused.status_code == 400 and "only read statements" in refused.json()["error"]["message"]
    )
    syntax = run("SELECT * FROM sales WHERE (id > ")
    assert syntax.json()["error"]["position"] is not None
    assert QueryRun.objects.filter(origin="editor").count() == 2


def test_history_lists_runs_with_rows_and_a_reopen_link(analyst_web, finished_run) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa

    run = finished_run(pa.table({"x": [1, 2, 3]}))
    page = analyst_web.get("/history/").content.decode()
    assert f'href="/editor/?reopen={run.pk}"' in page
    assert "<td>3</td>" in page and "12 ms" in page
    editor = analyst_web.get(f"/editor/?run={run.pk}").content.decode()
    assert '"row_count": 3' in editor  # the reopened result is painted without a new run


def test_catalog_lists_tables_columns_and_functions(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    catalog = analyst_web.get("/datasources/shop/catalog.json").json()
    main = next(s for s in catalog["schemas"] if s["name"] == "main")
    sales = next(t for t in main["tables"] if t["name"] == "sales")
    assert sales["row_count"] == 100
    assert [c["name"] for c in sales["columns"]] == ["id", "region", "amount", "day"]
    assert "date_trunc" in catalog["functions"]
    assert analyst_web.get("/datasources/nope/catalog.json").status_code == 404


def test_test_connection_says_what_failed(admin_web, analyst_web, tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = {"name": "x", "engine": "duckdb", "path": str(tmp_path / "nope.duckdb")}
    answer = admin_web.post("/datasources/test", missing).content.decode()
    assert "data-test-failed" in answer and "nope.duckdb" in answer
    postgres = {"name": "pg", "engine": "postgres", "dsn": ""}
    assert (
        "PostgreSQL needs a DSN" in admin_web.post("/datasources/test", postgres).content.decode()
    )
    assert analyst_web.post("/datasources/test", missing).status_code == 302  # staff only


def test_adding_a_duckdb_source(admin_web, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    path = tmp_path / "new.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE t AS SELECT 1 AS a").close()
    form = {"name": "fresh", "engine": "duckdb", "path": str(path)}
    assert "data-test-ok" in admin_web.post("/datasources/test", form).content.decode()
    assert admin_web.post("/datasources/new", form)["Location"] == "/datasources/"
    assert DataSource.objects.filter(name="fresh").exists()


def test_the_catalog_refreshes_on_request(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    analyst_web.get("/datasources/shop/catalog.json")
    duckdb.connect(duck_source.path).execute("CREATE TABLE added AS SELECT 1 AS a").close()

    def tables(query: str) -> set[str]:
        catalog = analyst_web.get(f"/datasources/shop/catalog.json{query}").json()
        return {t["name"] for s in catalog["schemas"] for t in s["tables"]}

    assert "added" not in tables("")  # listings are cached briefly
    assert "added" in tables("?refresh=1")
