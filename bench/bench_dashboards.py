"""Dashboards against a throwaway stack (gunicorn + a real worker, the demo data):

1. a dashboard of 12 widgets on cached results, loaded through its one event stream:
   the server's time per widget (p50/p99 of each widget's `server_ms`) and the whole
   stream's time, over BENCH_TRIES loads;
2. the same dashboard in headless Chromium (all 12 widgets on screen): navigation start
   until every chart is drawn (p50);
3. a line chart over a cached 5,000,000-row result: time from the cached result to the
   figure through the chart preview endpoint (a new spec each try, so no memoised figure).

Run with `.venv/bin/python bench/bench_dashboards.py` (also part of `make bench`).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import Stack, running_stack
from dashboards.boards.snapshots import CHROMIUM_ARGS

TRIES = int(os.environ.get("BENCH_TRIES", "20"))
CHROMIUM = "/usr/bin/chromium"
BIG_SQL = (
    "SELECT TIMESTAMP '2024-01-01' + to_seconds(i) AS at, sin(i / 5000.0) + random() / 10 AS v "
    "FROM range(5000000) t(i)"
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def logged_in(stack: Stack) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{stack.url}/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    session.post(
        f"{stack.url}/login/",
        data={"username": "demo", "password": "demo-dashwire", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{stack.url}/login/"},
    ).raise_for_status()
    return session


def api(stack: Stack) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.token}"
    return session


def twelve_widget_dashboard(stack: Stack) -> int:
    client = api(stack)
    visualizations = client.get(f"{stack.url}/api/visualizations").json()
    assert len(visualizations) >= 12, "the demo has fewer than 12 visualizations"
    widgets = [
        {
            "visualization_id": v["id"],
            "position": {"x": (i % 3) * 4, "y": (i // 3) * 5, "width": 4, "height": 5},
        }
        for i, v in enumerate(visualizations[:12])
    ]
    body = {
        "name": "Bench: 12 widgets",
        "max_age_s": 86400,
        "widgets": widgets,
        "filters": [
            {"name": "year", "type": "enum", "options": ["2007"], "default": "2007"},
            {
                "name": "tickers",
                "type": "enum",
                "is_multi": True,
                "options": ["goog", "aapl", "amzn", "fb", "nflx", "msft"],
                "default": ["goog", "aapl", "amzn", "fb", "nflx", "msft"],
            },
        ],
    }
    response = client.post(f"{stack.url}/api/dashboards", json=body)
    response.raise_for_status()
    return int(response.json()["id"])


def load_stream(session: requests.Session, url: str) -> tuple[float, list[dict[str, Any]]]:
    started = time.perf_counter()
    response = session.get(url, stream=True, timeout=300)
    response.raise_for_status()
    events = []
    for block in response.text.split("\n\n"):
        data = [line[5:].strip() for line in block.splitlines() if line.startswith("data:")]
        name = next(
            (line[6:].strip() for line in block.splitlines() if line.startswith("event:")), ""
        )
        if data and name == "widget":
            events.append(json.loads(data[0]))
    return time.perf_counter() - started, events


def bench_stream(stack: Stack, dashboard_id: int) -> None:
    session = logged_in(stack)
    url = f"{stack.url}/dashboards/{dashboard_id}/data"
    _, warm = load_stream(session, url)  # runs every query once; later loads are cached
    assert all(e["status"] in ("ok", "running") for e in warm), warm
    load_stream(session, url)
    per_widget, whole = [], []
    for _ in range(TRIES):
        elapsed, events = load_stream(session, url)
        assert len(events) == 12 and all(e["status"] == "ok" and e["is_cached"] for e in events)
        whole.append(elapsed * 1000)
        per_widget += [e["server_ms"] for e in events]
    print(
        "stream, 12 cached widgets: server time per widget"
        f" p50 {percentile(per_widget, 0.5):.1f} ms, p99 {percentile(per_widget, 0.99):.1f} ms;"
        " whole stream p50 "
        f"{statistics.median(whole):.0f} ms ({TRIES} loads)"
    )


def bench_browser(stack: Stack, dashboard_id: int) -> None:
    session = logged_in(stack)
    cookie = session.cookies.get("sessionid")
    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1400})
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": stack.url}])
        page = context.new_page()
        for attempt in range(max(5, TRIES // 2) + 1):
            page.goto(f"{stack.url}/dashboards/{dashboard_id}/")
            page.wait_for_selector("body[data-board-all-drawn='1']", timeout=120_000)
            drawn = page.evaluate("performance.now()")
            if attempt:  # the first load fills the browser's cache of plotly.min.js
                timings.append(drawn)
        browser.close()
    print(
        f"browser, 12 widgets: navigation start → every chart drawn p50 "
        f"{statistics.median(timings):.0f} ms, p90 {percentile(timings, 0.9):.0f} ms "
        f"({len(timings)} loads)"
    )


def bench_big_line(stack: Stack) -> None:
    client = api(stack)
    run = client.post(f"{stack.url}/api/runs", json={"datasource": "demo", "sql": BIG_SQL}).json()
    while run["status"] in ("queued", "running"):
        time.sleep(0.2)
        run = client.get(f"{stack.url}/api/runs/{run['id']}").json()
    assert run["status"] == "succeeded", run
    session = logged_in(stack)
    csrf = session.get(f"{stack.url}/visualizations/new?run={run['id']}").cookies.get(
        "csrftoken"
    ) or session.cookies.get("csrftoken")
    timings, points = [], 0
    for attempt in range(5):
        spec = {
            "type": "line",
            "encodings": {"x": "at", "y": ["v"]},
            "options": {"y_axis": {"title": f"v {attempt}"}},
        }
        started = time.perf_counter()
        response = session.post(
            f"{stack.url}/visualizations/preview",
            json={"source": {"run": run["id"]}, "spec": spec},
            headers={"X-CSRFToken": csrf or "", "Referer": stack.url},
        )
        timings.append(time.perf_counter() - started)
        response.raise_for_status()
        points = sum(len(trace["x"]) for trace in response.json()["figure"]["data"])
    print(
        f"line chart over 5,000,000 cached rows: result → figure p50 "
        f"{statistics.median(timings) * 1000:.0f} ms over HTTP, {points:,} points drawn"
    )


def main() -> None:
    with running_stack() as stack:
        dashboard_id = twelve_widget_dashboard(stack)
        bench_stream(stack, dashboard_id)
        bench_browser(stack, dashboard_id)
        bench_big_line(stack)


if __name__ == "__main__":
    main()
