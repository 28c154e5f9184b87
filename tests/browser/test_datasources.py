"""Adding a data source in a real browser: "test connection" says what the engine sees, or
why it cannot connect, before anything is saved."""

from __future__ import annotations

from pathlib import Path

import duckdb
from playwright.sync_api import expect

from dashboards.models import DataSource


def test_test_connection_then_add(live_server, admin, login, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = login(admin)
    page.goto(f"{live_server.url}/datasources/new")
    page.locator("[name=name]").fill("fresh")
    page.locator("[name=engine]").select_option("duckdb")
    page.locator("[name=path]").fill(str(tmp_path / "nope.duckdb"))
    page.locator("[data-test-connection]").click()
    expect(page.locator("[data-test-failed]")).to_contain_text("nope.duckdb")

    path = tmp_path / "new.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE t AS SELECT 1 AS a").close()
    page.locator("[name=path]").fill(str(path))
    page.locator("[data-test-connection]").click()
    expect(page.locator("[data-test-ok]")).to_have_text("Connected: 1 table visible.")
    assert not DataSource.objects.filter(name="fresh").exists()
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url("**/datasources/")
    assert DataSource.objects.filter(name="fresh").exists()
