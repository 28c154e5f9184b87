"""Front-end timings in headless Chromium against a throwaway stack (gunicorn + a real
worker, the demo data), p50 over 20 tries each:

1. opening the editor page → an editable editor (navigation start to the editor mounted);
2. pressing Run on a cached query → the grid's first rows painted;
3. the same for a cached 10,000,000-row result;
4. jumping to the last row of that result (Ctrl+End in a new grid) → its rows painted.

Run with `.venv/bin/python bench/bench_frontend.py` (also part of `make bench`).
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import running_stack
from dashboards.boards.snapshots import CHROMIUM_ARGS

TRIES = int(os.environ.get("BENCH_TRIES", "20"))
CHROMIUM = "/usr/bin/chromium"
SMALL_SQL = "SELECT * FROM gapminder"
BIG_SQL = "SELECT i, i * 2 AS doubled, 'row ' || i AS label FROM range(10000000) t(i)"

# Clicks Run and resolves once the grid holds a data cell and two frames have passed (the
# second requestAnimationFrame runs after the browser painted the first).
RUN_TO_PAINT_JS = """
async () => {
  const grid = document.querySelector('[data-result-grid]');
  grid.replaceChildren();
  const painted = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (grid.querySelector('tbody td[data-col]')) { observer.disconnect(); resolve(); }
    });
    observer.observe(grid, { childList: true, subtree: true });
  });
  const started = performance.now();
  document.querySelector('[data-run]').click();
  await Promise.race([painted, new Promise((_, reject) => setTimeout(
    () => reject(new Error('no rows painted within 120 s')), 120000))]);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - started;
}
"""

JUMP_TO_END_JS = """
async (total) => {
  const viewport = document.querySelector('.grid-viewport');
  viewport.scrollTop = 0;
  await new Promise((r) => setTimeout(r, 50));
  const label = String(total);
  const isLastPainted = () => [...document.querySelectorAll('.grid-table tbody tr')].some(
    (tr) => tr.firstChild.textContent === label && tr.querySelector('td[data-col]'));
  const started = performance.now();
  viewport.focus();
  const key = { key: 'End', ctrlKey: true, bubbles: true };
  viewport.dispatchEvent(new KeyboardEvent('keydown', key));
  while (!isLastPainted()) {
    if (performance.now() - started > 60000) throw new Error('the last row never painted');
    await new Promise((r) => requestAnimationFrame(r));
  }
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - started;
}
"""


def set_sql(page: Page, sql: str) -> None:
    page.evaluate("(sql) => window.dashwireEditor.setDoc(sql)", sql)


def p50(samples: list[float]) -> str:
    median = statistics.median(samples)
    return f"p50 {median:7.1f} ms  (min {min(samples):.1f}, max {max(samples):.1f})"


def main() -> None:
    if not Path(CHROMIUM).exists():
        sys.exit("bench_frontend needs /usr/bin/chromium (make system-deps)")
    with running_stack() as stack, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{stack.url}/login/")
        page.fill("#id_username", "demo")
        page.fill("#id_password", "demo-dashwire")
        page.click("button[type=submit]")
        page.wait_for_url("**/editor/")

        ready = []
        for _ in range(TRIES):
            page.goto(f"{stack.url}/editor/?datasource=demo")
            page.wait_for_function("() => window.dashwireReadyAt !== undefined")
            ready.append(page.evaluate("window.dashwireReadyAt"))
        print(f"open editor page → editable editor        {p50(ready)}")

        set_sql(page, SMALL_SQL)
        page.evaluate(RUN_TO_PAINT_JS)  # computes and caches the result
        small = [page.evaluate(RUN_TO_PAINT_JS) for _ in range(TRIES)]
        print(f"run cached query (1,704 rows) → rows painted {p50(small)}")

        set_sql(page, BIG_SQL)
        page.set_default_timeout(300_000)
        page.evaluate(RUN_TO_PAINT_JS)
        big = [page.evaluate(RUN_TO_PAINT_JS) for _ in range(TRIES)]
        print(f"run cached query (10M rows) → rows painted   {p50(big)}")
        jumps = []
        for _ in range(TRIES):
            page.evaluate(RUN_TO_PAINT_JS)  # a new grid: no page of the end is held yet
            jumps.append(page.evaluate(JUMP_TO_END_JS, 10_000_000))
        print(f"10M-row grid: jump to last row → painted    {p50(jumps)}")
        heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
        print(f"JS heap after scrolling the 10M-row result: {heap / 1e6:.1f} MB")
        browser.close()


if __name__ == "__main__":
    main()
