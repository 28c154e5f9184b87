"""Real-browser fixtures: Debian's Chromium driven by Playwright against the live server and
the real Celery worker. One browser per session; a fresh context (cookies, storage) per test."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Page, expect

from dashboards.boards.snapshots import CHROMIUM_ARGS

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures and test
# bodies are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
STATIC_BUNDLE = Path(settings.BASE_DIR) / "static" / "dist" / "app.js"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests on a machine without Chromium or the bundle, except in CI
    (DASHWIRE_REQUIRE_SERVICES), where they must run and fail loudly instead."""
    if os.environ.get("DASHWIRE_REQUIRE_SERVICES"):
        return
    if not Path(CHROMIUM).exists() or not STATIC_BUNDLE.exists():
        reason = "needs /usr/bin/chromium and the built bundle (make system-deps static)"
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 720},
        "accept_downloads": True,
    }


@pytest.fixture(autouse=True)
def _short_expect_timeout() -> None:
    expect.set_options(timeout=10_000)


@pytest.fixture
def login(live_server, page: Page) -> Callable[[User], Page]:  # type: ignore[no-untyped-def]
    """Log a user in by session cookie (the login form has its own test)."""

    def log_in(user: User) -> Page:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return log_in


@pytest.fixture
def editor(live_server, worker, duck_source, analyst, login) -> Page:  # type: ignore[no-untyped-def]
    """The analyst on an empty editor for the `shop` DuckDB source, schema listed."""
    page = login(analyst)
    page.goto(f"{live_server.url}/editor/?datasource=shop")
    expect(page.locator(".cm-content")).to_be_visible()
    expect(page.locator("[data-schema-tree] .schema-table").first).to_be_visible()
    return page


def type_sql(page: Page, sql: str) -> None:
    """Replace the editor's text by typing (completion popups closed)."""
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(sql)


def run_with_keyboard(page: Page) -> None:
    """Ctrl+Enter in the editor, clicking into it first only when it lost the focus: right
    after typing, a completion popup may cover the text a click would land on."""
    if not page.locator(".cm-editor.cm-focused").count():
        page.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
