"""First run, access control of the pages, and what the editor and the data source pages
do through the JSON API with the session: formatting, run refusals, the catalog,
testing a connection; history, adding a data source."""

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
        return analyst_web.post("/api/sql/format", body, content_type="application/json")

    answer = fmt("select a,b from t where d > {{ since }};").json()
    assert answer["sql"] == "SELECT\n  a,\n  b\nFROM t\nWHERE\n  d > {{ since }};"
    broken = fmt("select a from t where (a > ")
    assert broken.status_code == 400 and broken.json()["position"] is not None
    assert broken.json()["sqlstate"] == "42601" and broken.json()["detail"]


def test_run_refusals_answer_at_once_with_a_position(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    def run(sql: str, **extra):  # type: ignore[no-untyped-def]
        body = json.dumps({"sql": sql, "datasource": "shop", **extra})
        return analyst_web.post("/api/runs", body, content_type="application/json")

    declared = [{"name": "region", "type": "text"}]
    missing = run("SELECT * FROM sales WHERE region = {{ region }}", parameter_specs=declared)
    assert missing.status_code == 400
    error = missing.json()["error"]
    assert (error["message"], error["position"]) == ("parameter region needs a value", 36)
    refused = run("DROP TABLE sales")
    assert (
        refused.status_code == 400 and "only read statements" in refused.json()["error"]["message"]
    )
    syntax = run("SELECT * FROM sales WHERE (id > ")
    assert syntax.json()["error"]["position"] is not None
    assert QueryRun.objects.filter(origin="editor").count() == 3


def test_history_lists_runs_with_rows_and_a_reopen_link(analyst_web, finished_run) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa

    run = finished_run(pa.table({"x": [1, 2, 3]}))
    page = analyst_web.get("/history/").content.decode()
    assert f'href="/editor/?reopen={run.pk}"' in page
    assert "<td>3</td>" in page and "12 ms" in page
    editor = analyst_web.get(f"/editor/?run={run.pk}").content.decode()
    assert f'"id": "{run.pk}"' in editor  # the reopened run is asked for, not run again
    reopened = analyst_web.get(f"/api/runs/{run.pk}", {"page_rows": 200}).json()
    assert reopened["row_count"] == 3 and reopened["page"]["rows"] == [[1], [2], [3]]
    assert QueryRun.objects.count() == 1


def test_catalog_lists_tables_columns_and_functions(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    catalog = analyst_web.get("/api/datasources/shop/schema").json()
    main = next(s for s in catalog["schemas"] if s["name"] == "main")
    sales = next(t for t in main["tables"] if t["name"] == "sales")
    assert sales["row_count"] == 100
    assert [c["name"] for c in sales["columns"]] == ["id", "region", "amount", "day"]
    assert "date_trunc" in catalog["functions"]
    assert catalog["default_schema"] == "main" and catalog["dialect"] == "duckdb"
    assert analyst_web.get("/api/datasources/nope/schema").status_code == 404


def connection_test(client, body):  # type: ignore[no-untyped-def]
    return client.post("/api/datasources/test", json.dumps(body), content_type="application/json")


def test_test_connection_says_what_failed(admin_web, analyst_web, tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = {"engine": "duckdb", "path": str(tmp_path / "nope.duckdb")}
    answer = connection_test(admin_web, missing).json()
    assert not answer["is_connected"] and "nope.duckdb" in answer["problem"]
    postgres = connection_test(admin_web, {"engine": "postgres", "dsn": ""})
    assert postgres.status_code == 400
    assert postgres.json() == {"detail": "dsn: PostgreSQL needs a DSN", "field": "dsn"}
    assert connection_test(analyst_web, missing).status_code == 403  # staff only


def test_adding_a_duckdb_source(admin_web, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    path = tmp_path / "new.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE t AS SELECT 1 AS a").close()
    form = {"name": "fresh", "engine": "duckdb", "path": str(path)}
    tested = connection_test(admin_web, {"engine": "duckdb", "path": str(path)}).json()
    assert tested == {"is_connected": True, "table_count": 1, "problem": ""}
    assert admin_web.post("/datasources/new", form)["Location"] == "/datasources/"
    assert DataSource.objects.filter(name="fresh").exists()


def test_the_catalog_refreshes_on_request(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    analyst_web.get("/api/datasources/shop/schema")
    duckdb.connect(duck_source.path).execute("CREATE TABLE added AS SELECT 1 AS a").close()

    def tables(query: str) -> set[str]:
        catalog = analyst_web.get(f"/api/datasources/shop/schema{query}").json()
        return {t["name"] for s in catalog["schemas"] for t in s["tables"]}

    assert "added" not in tables("")  # listings are cached briefly
    assert "added" in tables("?refresh=1")
