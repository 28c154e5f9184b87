"""First run, log in and log out in a real browser; the workspace at 1280x720."""

from __future__ import annotations

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect


def test_first_run_creates_the_admin_then_log_out_and_in(live_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/setup/")
    page.fill("#id_username", "root_admin")
    page.fill("#id_password", "correct-horse-battery")
    page.fill("#id_password_again", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/datasources/")
    assert User.objects.get(username="root_admin").is_superuser
    page.click("text=Log out")
    page.wait_for_url("**/login/")
    page.goto(f"{live_server.url}/setup/")
    page.wait_for_url("**/login/")  # the first-run page is gone once a user exists
    page.fill("#id_username", "root_admin")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    expect(page.locator(".errorlist")).to_be_visible()
    page.fill("#id_username", "root_admin")
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/editor/")
    expect(page.locator(".cm-content")).to_be_visible()


def test_shortcut_overlay_and_dark_theme(editor: Page) -> None:
    editor.locator("header .muted").click()  # out of the editor (the user name), where "?" is typed
    editor.keyboard.press("?")
    expect(editor.locator("#shortcuts")).to_be_visible()
    expect(editor.locator("#shortcuts")).to_contain_text("Shift")
    editor.keyboard.press("Escape")
    expect(editor.locator("#shortcuts")).to_be_hidden()
    page = editor.locator("html")
    expect(page).to_have_attribute("data-theme", "light")
    background = editor.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
    editor.locator("[data-toggle-theme]").click()
    expect(page).to_have_attribute("data-theme", "dark")
    expect(editor.locator("body")).not_to_have_css("background-color", background)
    editor.reload()
    expect(page).to_have_attribute("data-theme", "dark")
    fits = editor.evaluate(
        "() => document.documentElement.scrollWidth <= innerWidth"
        " && document.querySelector('[data-run]').getBoundingClientRect().right <= innerWidth"
    )
    assert fits, "the editor page must fit 1280x720 without horizontal scrolling"
