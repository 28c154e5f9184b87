"""Parameters, saving, forking, version restore, downloads and drafts in a real browser."""

from __future__ import annotations

import csv
import io
import time
from urllib.parse import parse_qs, urlparse

import pyarrow.parquet as pq
from playwright.sync_api import Page, expect

from dashboards.models import Draft, SavedQuery
from tests.browser.conftest import run_with_keyboard, type_sql


def test_parameter_widgets_values_and_links(editor: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    type_sql(
        editor, "SELECT count(*) AS n FROM sales WHERE region = {{ region }} AND id <= {{ top }}"
    )
    widget = editor.locator('[data-param="region"] input.param-value')
    expect(widget).to_be_visible()
    editor.locator('[data-param="top"] select.param-type').select_option("number")
    run_with_keyboard(editor)
    expect(editor.locator("[data-result-error]")).to_contain_text("parameter region needs a value")
    widget.fill("region_1")
    editor.locator('[data-param="top"] input.param-value').fill("50")
    run_with_keyboard(editor)
    expect(editor.locator(".grid-table tbody tr").first.locator("td").nth(1)).to_have_text("13")
    query = parse_qs(urlparse(editor.url).query)
    assert query["p_region"] == ["region_1"] and query["p_top"] == ["50"]
    editor.goto(editor.url)  # the link reproduces the run
    expect(editor.locator('[data-param="region"] input.param-value')).to_have_value("region_1")
    expect(editor.locator(".grid-table tbody tr").first.locator("td").nth(1)).to_have_text("13")


def test_dropdown_parameters_from_a_list(editor: Page) -> None:
    type_sql(editor, "SELECT count(*) AS n FROM sales WHERE region IN ({{ regions }})")
    editor.locator('[data-param="regions"] select.param-type').select_option("enum")
    options = editor.locator('[data-param="regions"] .param-options-list')
    options.fill("region_0, region_1, region_2")
    options.press("Tab")
    editor.locator('[data-param="regions"] input[type=checkbox]').check()
    editor.locator('[data-param="regions"] select.param-value').select_option(
        ["region_0", "region_2"]
    )
    run_with_keyboard(editor)
    expect(editor.locator(".grid-table tbody tr").first.locator("td").nth(1)).to_have_text("50")


def save_new(page: Page, name: str, tags: str = "") -> int:
    page.keyboard.press("Control+s")
    dialog = page.locator("#save-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("[name=name]").fill(name)
    dialog.locator("[name=tags]").fill(tags)
    dialog.locator("button[value=save]").click()
    page.wait_for_url("**/queries/*/")
    return int(page.url.rstrip("/").split("/")[-1])


def test_save_fork_and_restore_an_older_version(editor: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    type_sql(editor, "SELECT region, count(*) AS n FROM sales GROUP BY 1")
    query_id = save_new(editor, "Sales per region", "sales, Weekly")
    saved = SavedQuery.objects.get(pk=query_id)
    assert sorted(saved.tags.values_list("name", flat=True)) == ["sales", "weekly"]
    expect(editor.locator("[data-version]")).to_have_text("v1")

    type_sql(editor, "SELECT region, count(*) AS n FROM sales GROUP BY 1 ORDER BY n DESC")
    editor.keyboard.press("Control+s")
    expect(editor.locator("[data-version]")).to_have_text("v2")
    expect(editor.locator("[data-save-state]")).to_contain_text("version 2")

    editor.goto(f"{live_server.url}/queries/{query_id}/versions/")
    expect(editor.locator("[data-diff] .add")).to_contain_text("ORDER BY n DESC")
    editor.locator('[data-restore="1"]').click()
    editor.wait_for_url(f"**/queries/{query_id}/")
    expect(editor.locator(".cm-content")).to_have_text(
        "SELECT region, count(*) AS n FROM sales GROUP BY 1"
    )
    expect(editor.locator("[data-version]")).to_have_text("v3")

    editor.locator("[data-fork]").click()
    # the fork is made by an API call before the page changes: wait for the copy's page
    editor.wait_for_url(lambda url: "/queries/" in url and f"/queries/{query_id}/" not in url)
    expect(editor.locator(".messages")).to_contain_text("Forked into “Copy of Sales per region”.")
    fork_id = int(editor.url.rstrip("/").split("/")[-1])
    assert fork_id != query_id
    expect(editor.locator("[data-query-title]")).to_have_text("Copy of Sales per region")
    expect(editor.locator(".cm-content")).to_have_text(
        "SELECT region, count(*) AS n FROM sales GROUP BY 1"
    )

    editor.goto(f"{live_server.url}/queries/?tag=weekly")
    expect(editor.locator("[data-query-row]")).to_have_count(2)
    editor.locator(f'[data-query-row="{fork_id}"] button.danger').click()
    expect(editor.locator(f'[data-trashed-row="{fork_id}"]')).to_be_visible()
    editor.locator(f'[data-trashed-row="{fork_id}"] button').click()
    expect(editor.locator(f'[data-query-row="{fork_id}"]')).to_be_visible()


def test_download_csv_and_parquet(editor: Page) -> None:
    type_sql(editor, "SELECT id, region, amount FROM sales WHERE id <= 3 ORDER BY id")
    run_with_keyboard(editor)
    expect(editor.locator("[data-result-meta]")).to_contain_text("3 rows")
    with editor.expect_download() as csv_download:
        editor.locator('[data-downloads] a[data-format="csv"]').click()
    rows = list(csv.reader(io.StringIO(csv_download.value.path().read_text())))
    assert rows == [
        ["id", "region", "amount"],
        ["1", "region_1", "1.5"],
        ["2", "region_2", "3.0"],
        ["3", "region_3", "4.5"],
    ]
    with editor.expect_download() as parquet_download:
        editor.locator('[data-downloads] a[data-format="parquet"]').click()
    table = pq.read_table(parquet_download.value.path())
    assert table.column_names == ["id", "region", "amount"]
    assert table.column("id").to_pylist() == [1, 2, 3]
    assert table.column("region").to_pylist() == ["region_1", "region_2", "region_3"]


def test_draft_survives_reload_a_second_tab_and_runs(editor: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    type_sql(editor, "SELECT 42 AS answer -- my unsaved work")
    run_with_keyboard(editor)
    expect(editor.locator(".grid-table tbody tr").first.locator("td").nth(1)).to_have_text("42")
    expect(editor.locator(".cm-content")).to_have_text("SELECT 42 AS answer -- my unsaved work")
    editor.reload()
    expect(editor.locator(".cm-content")).to_have_text("SELECT 42 AS answer -- my unsaved work")

    editor.locator(".cm-content").click()
    editor.keyboard.press("Control+End")
    editor.keyboard.type(" and more")
    # the server copy is written shortly after the last key
    deadline = time.monotonic() + 30
    while not Draft.objects.filter(key="new", sql__endswith="and more").exists():
        assert time.monotonic() < deadline, "the draft never reached the server"
        editor.wait_for_timeout(50)
    second = editor.context.new_page()
    second.goto(f"{live_server.url}/editor/")
    expect(second.locator(".cm-content")).to_have_text(
        "SELECT 42 AS answer -- my unsaved work and more"
    )


def test_dropdown_filled_by_another_saved_query(editor: Page, analyst, duck_source) -> None:  # type: ignore[no-untyped-def]
    from dashboards.library.queries import create_saved_query

    create_saved_query(
        analyst,
        name="Regions",
        sql="SELECT DISTINCT region FROM sales ORDER BY 1",
        datasource=duck_source,
    )
    editor.reload()
    type_sql(editor, "SELECT count(*) AS n FROM sales WHERE region = {{ region }}")
    editor.locator('[data-param="region"] select.param-type').select_option("query")
    editor.locator('[data-param="region"] select.param-source').select_option(label="Regions")
    values = editor.locator('[data-param="region"] select.param-value option')
    expect(values).to_have_count(5)  # "—" and the four regions
    editor.locator('[data-param="region"] select.param-value').select_option("region_2")
    run_with_keyboard(editor)
    expect(editor.locator(".grid-table tbody tr").first.locator("td").nth(1)).to_have_text("25")


def test_date_and_date_range_parameters(editor: Page) -> None:
    type_sql(
        editor,
        "SELECT count(*) AS n FROM sales WHERE day BETWEEN {{ period.start }} AND {{ period.end }}"
        " AND day <> {{ skip }}",
    )
    editor.locator('[data-param="period"] select.param-type').select_option("date_range")
    editor.locator('[data-param="skip"] select.param-type').select_option("date")
    editor.get_by_label("period start").fill("2024-01-02")
    editor.get_by_label("period end").fill("2024-01-11")
    editor.locator('[data-param="skip"] input.param-value').fill("2024-01-05")
    run_with_keyboard(editor)
    expect(editor.locator(".grid-table tbody tr").first.locator("td").nth(1)).to_have_text("9")
    query = parse_qs(urlparse(editor.url).query)
    assert query["p_period.start"] == ["2024-01-02"] and query["p_skip"] == ["2024-01-05"]
