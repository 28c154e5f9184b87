"""The editor in a real browser: log in, browse the schema, complete, run, page and sort."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import run_with_keyboard, type_sql


def test_run_with_the_keyboard_paints_the_grid(editor: Page) -> None:
    type_sql(editor, "SELECT id, region, amount, day FROM sales ORDER BY id")
    run_with_keyboard(editor)
    expect(editor.locator("[data-run-status]")).to_have_text("succeeded")
    expect(editor.locator("[data-result-meta]")).to_contain_text("100 rows")
    first_row = editor.locator(".grid-table tbody tr").first
    expect(first_row.locator("td").nth(1)).to_have_text("1")
    expect(first_row.locator("td").nth(2)).to_have_text("region_1")
    expect(first_row.locator("td").nth(4)).to_have_text("2024-01-02")
    expect(editor.locator(".cm-content")).to_contain_text("ORDER BY id")
    assert re.search(r"[?&]run=", editor.url)


def test_schema_browser_lists_filters_and_inserts(editor: Page) -> None:
    tree = editor.locator("[data-schema-tree]")
    expect(tree.locator(".schema-table", has_text="sales_by_region")).to_be_visible()
    editor.locator("[data-schema-search]").fill("amount")
    expect(tree.locator(".schema-table:visible")).to_have_count(1)
    sales = tree.locator(".schema-table:visible")
    expect(sales).to_contain_text("100")  # row count, where cheap
    sales.locator("summary .schema-rows").click()  # the summary line, not its name button
    expect(sales.locator(".schema-column", has_text="amount")).to_contain_text("DECIMAL")
    type_sql(editor, "SELECT * FROM ")
    editor.keyboard.press("End")
    sales.locator("summary .schema-insert").click()
    expect(editor.locator(".cm-content")).to_have_text("SELECT * FROM sales")


def test_completion_offers_columns_of_the_named_table_first(editor: Page) -> None:
    type_sql(editor, "SELECT  FROM sales")
    editor.keyboard.press("Control+Home")
    for _ in range(len("SELECT ")):
        editor.keyboard.press("ArrowRight")
    editor.keyboard.type("reg")
    options = editor.locator(".cm-tooltip-autocomplete li")
    expect(options.first).to_contain_text("region")
    expect(editor.locator(".cm-tooltip-autocomplete li[aria-selected]")).to_contain_text("region")
    editor.locator(".cm-tooltip-autocomplete li[aria-selected]").click()
    expect(editor.locator(".cm-content")).to_have_text("SELECT region FROM sales")
    editor.keyboard.press("End")
    editor.keyboard.type(" GROUP BY 1 ORDER BY 1")
    editor.keyboard.press("Escape")
    editor.keyboard.press("Control+Enter")
    expect(editor.locator(".grid-table tbody tr")).to_have_count(4)
    expect(editor.locator(".grid-table tbody tr").first.locator("td").nth(1)).to_have_text(
        "region_0"
    )


def test_grid_pages_and_sorts_on_the_server(editor: Page) -> None:
    type_sql(editor, "SELECT i, i % 7 AS bucket FROM big")
    run_with_keyboard(editor)
    expect(editor.locator("[data-result-meta]")).to_contain_text("200,000 rows")
    grid = editor.locator(".grid-viewport")
    grid.click()
    editor.keyboard.press("Control+End")
    last = editor.locator(".grid-table tbody tr").last
    expect(last.locator("td").first).to_have_text("200000")
    expect(last.locator("td").nth(1)).to_have_text("199,999")
    expect(editor.locator("[data-grid-window]")).to_contain_text("of 200,000")
    editor.locator(".grid-head", has_text="i").first.click()  # ascending
    editor.locator(".grid-head", has_text="i").first.click()  # descending
    first = editor.locator(".grid-table tbody tr").first
    expect(first.locator("td").first).to_have_text("1")
    expect(first.locator("td").nth(1)).to_have_text("199,999")
    rendered = editor.locator(".grid-table tbody tr").count()
    assert rendered < 60, f"the grid rendered {rendered} rows; it must only render the window"


def test_cancel_stops_a_long_query(editor: Page) -> None:
    type_sql(editor, "SELECT count(*) FROM range(100000000000) a(x) WHERE x % 7 = 3")
    run_with_keyboard(editor)
    expect(editor.locator("[data-run-status]")).to_have_text("running")
    expect(editor.locator("[data-run-elapsed]")).not_to_have_text("")
    editor.locator("[data-run-cancel]").click()
    expect(editor.locator("[data-run-status]")).to_have_text("cancelled")
    expect(editor.locator("[data-run-cancel]")).to_be_hidden()


def test_an_error_marks_its_position(editor: Page) -> None:
    type_sql(editor, "SELECT id,\n  amount\nFROM sales\nWHERE nosuchcolumn > 3")
    run_with_keyboard(editor)
    expect(editor.locator("[data-run-status]")).to_have_text("failed")
    expect(editor.locator("[data-result-error]")).to_contain_text("nosuchcolumn")
    expect(editor.locator(".cm-lintRange-error")).to_have_text("nosuchcolumn")
    expect(editor.locator(".cm-content")).to_contain_text("WHERE nosuchcolumn > 3")


def test_a_parse_error_in_the_selection_marks_the_document(editor: Page) -> None:
    type_sql(editor, "SELECT 1;\nSELECT * FROM sales WHERE (id > ;\nSELECT 3")
    editor.keyboard.press("Control+Home")
    editor.keyboard.press("ArrowDown")
    editor.keyboard.press("Control+Enter")  # runs only the statement under the cursor
    expect(editor.locator("[data-run-status]")).to_have_text("failed")
    marked_line = editor.locator(".cm-line", has=editor.locator(".cm-lintRange-error"))
    expect(marked_line).to_have_text("SELECT * FROM sales WHERE (id > ;")


def test_format_then_reopen_the_run_from_history(editor: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    type_sql(editor, "select region, count(*) as n from sales group by 1 order by 1")
    editor.keyboard.press("Shift+Alt+F")
    expect(editor.locator(".cm-line").first).to_have_text("SELECT")
    expect(editor.locator(".cm-content")).to_contain_text("GROUP BY")
    run_with_keyboard(editor)
    expect(editor.locator("[data-result-meta]")).to_contain_text("4 rows")
    type_sql(editor, "SELECT 'something else'")
    editor.goto(f"{live_server.url}/history/")
    row = editor.locator("[data-run-row]").first
    expect(row).to_contain_text("succeeded")
    expect(row.locator("td").nth(5)).to_have_text("4")
    row.locator("[data-reopen]").click()
    expect(editor.locator(".grid-table tbody tr")).to_have_count(4)
    expect(editor.locator("[data-result-meta]")).to_contain_text("4 rows")
    expect(editor.locator(".cm-content")).to_contain_text("GROUP BY")
    assert "run=" in editor.url and "reopen=" not in editor.url
    editor.locator(".cm-content").click()
    editor.keyboard.press("Control+z")  # the draft the reopen replaced comes back
    expect(editor.locator(".cm-content")).to_have_text("SELECT 'something else'")


def test_a_result_opens_in_the_chart_builder(editor: Page) -> None:
    type_sql(editor, "SELECT region, sum(amount) AS total FROM sales GROUP BY 1")
    run_with_keyboard(editor)
    expect(editor.locator("[data-run-status]")).to_have_text("succeeded")
    editor.locator("[data-visualize]").click()
    expect(editor.locator("[data-viz-chart] g.trace.bars g.point")).to_have_count(4)
