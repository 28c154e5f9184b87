"""PNG and PDF of a dashboard page, rendered by headless Chromium (Debian's, driven by
Playwright): the very page viewers see, drawn by the same plotly.js.

The page is opened in its export mode (every widget drawn at once, no controls); it sets
`data-board-ready` on <body> when every widget has drawn or shown its error. The PDF is one
page of exactly the rendered size, so it looks like the PNG, not like a paginated print.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium takes ~150 MB per page: at most this many renders at once per process
_SLOTS = threading.BoundedSemaphore(2)


class SnapshotFormat(StrEnum):
    PNG = "png"
    PDF = "pdf"


CONTENT_TYPES: dict[SnapshotFormat, str] = {
    SnapshotFormat.PNG: "image/png",
    SnapshotFormat.PDF: "application/pdf",
}


class SnapshotFailed(Exception):
    """Chromium is missing, or the page did not finish drawing in time."""


@dataclass(frozen=True)
class Snapshot:
    content: bytes
    width_px: int
    height_px: int


def chromium_path() -> str:
    return str(settings.CHROMIUM_PATH)


def render_snapshot(
    url: str, *, fmt: SnapshotFormat, width_px: int = 1280, timeout_s: float = 90.0
) -> Snapshot:
    """Open `url` (a page in export mode), wait until it is drawn, and return its PNG or
    PDF. Raises SnapshotFailed when Chromium cannot start or the page is not ready in time.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with _SLOTS, sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
        except PlaywrightError as error:
            raise SnapshotFailed(f"Chromium did not start: {error.message}") from error
        try:
            page = browser.new_page(viewport={"width": width_px, "height": 800})
            page.emulate_media(media="screen")
            page.goto(url, wait_until="domcontentloaded", timeout=timeout_s * 1000)
            page.wait_for_selector("body[data-board-ready='1']", timeout=timeout_s * 1000)
            height_px = int(page.evaluate("document.documentElement.scrollHeight"))
            return Snapshot(_RENDERERS[fmt](page, width_px, height_px), width_px, height_px)
        except PlaywrightError as error:
            raise SnapshotFailed(f"the page did not render: {error.message}") from error
        finally:
            browser.close()


def _png(page: Page, width_px: int, height_px: int) -> bytes:
    return page.screenshot(full_page=True, type="png")


def _pdf(page: Page, width_px: int, height_px: int) -> bytes:
    return page.pdf(
        width=f"{width_px}px",
        height=f"{height_px}px",
        print_background=True,
        margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
    )


_RENDERERS: dict[SnapshotFormat, Callable[[Page, int, int], bytes]] = {
    SnapshotFormat.PNG: _png,
    SnapshotFormat.PDF: _pdf,
}
