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
