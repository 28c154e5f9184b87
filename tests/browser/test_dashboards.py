"""Dashboards in a real browser: build a chart from a result, assemble and arrange a
dashboard, filters and cross-filters, the public link logged out, PNG and PDF exports."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from dashboards.models import Dashboard, PublicLink, Widget
from dashboards.sharing import create_public_link
from tests.boards.conftest import (  # noqa: F401 - fixtures
    bar_chart,
    board,
    daily_query,
    line_chart,
    sales_query,
)
from tests.conftest import bearer_client, wait_for_run


def open_board(page: Page, url: str) -> Page:
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-board-ready", "1", timeout=30_000)
    return page


def bar_marks(page: Page, widget: Widget) -> int:
    return page.locator(f'[data-widget="{widget.pk}"] g.trace.bars g.point').count()


def test_build_a_chart_from_a_result_and_put_it_on_a_dashboard(
    live_server, worker, duck_source, analyst: User, login: Callable[[User], Page]  # type: ignore[no-untyped-def]
) -> None:
    api = bearer_client(analyst)
    body = api.post(
        "/api/runs",
        {"datasource": "shop", "sql": "SELECT region, sum(amount) AS total FROM sales GROUP BY 1"},
        content_type="application/json",
    ).json()
    wait_for_run(api, body["id"])
    dashboard = Dashboard.objects.create(name="Regions", owner=analyst)
    page = login(analyst)
    page.goto(f"{live_server.url}/visualizations/new?run={body['id']}")
    chart = page.locator("[data-viz-chart]")
    expect(chart.locator("g.trace.bars g.point")).to_have_count(4)  # proposed: a bar chart
    page.select_option("[data-chart-type]", "pie")
    expect(chart.locator("g.slice")).to_have_count(4)
    page.fill("input[name=name]", "Share of sales")
    page.fill("input[name=query_name]", "Sales per region")
    page.select_option("select[name=dashboard]", str(dashboard.pk))
    page.click("text=Save chart")
    page.wait_for_url(re.compile(rf"/dashboards/{dashboard.pk}/"))
    widget = Widget.objects.get(dashboard=dashboard)
    assert widget.visualization.spec["type"] == "pie"
    assert widget.visualization.query.name == "Sales per region"
    open_board(page, page.url)
    expect(page.locator(f'[data-widget="{widget.pk}"] g.slice')).to_have_count(4)


def test_move_and_resize_a_widget_and_find_it_there_after_reload(
    live_server, worker, board: Dashboard, analyst: User, login: Callable[[User], Page]  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    page = login(analyst)
    url = f"{live_server.url}{reverse('boards:dashboard', args=[board.pk])}?edit=1"
    open_board(page, url)
    bar = board.widgets.get(visualization__spec__type="bar")
    item = page.locator(f'.grid-stack-item[gs-id="{bar.pk}"]')
    head = item.locator(".widget-head")
    box = head.bounding_box()
    assert box is not None
    column_px = page.locator(".grid-stack").bounding_box()["width"] / 12
    page.mouse.move(box["x"] + 60, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 60 + 3 * column_px, box["y"] + 10 + 300, steps=20)
    page.mouse.move(box["x"] + 60 + 3 * column_px, box["y"] + 10 + 300, steps=2)
    page.mouse.up()
    expect(page.locator("[data-board]")).to_have_attribute("data-layout-saved", re.compile(r"\d+"))
    page.wait_for_function("!document.querySelector('[data-board]').dataset.layoutSaving")
    handle = item.locator(".ui-resizable-se")
    item.hover()
    corner = handle.bounding_box()
    assert corner is not None
    page.mouse.move(corner["x"] + 5, corner["y"] + 5)
    page.mouse.down()
    page.mouse.move(corner["x"] + 5 + 2 * column_px, corner["y"] + 5 + 120, steps=20)
    page.mouse.move(corner["x"] + 5 + 2 * column_px, corner["y"] + 5 + 120, steps=2)
    page.mouse.up()
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('[data-board]').dataset.layoutSaving")
    bar.refresh_from_db()
    assert (bar.x, bar.width) == (3, 8)
    assert bar.y > 0 and bar.height > 6
    open_board(page, url)
    expect(item).to_have_attribute("gs-x", str(bar.x))
    expect(item).to_have_attribute("gs-y", str(bar.y))
    expect(item).to_have_attribute("gs-w", str(bar.width))
    expect(item).to_have_attribute("gs-h", str(bar.height))


def test_a_filter_changes_every_bound_widget(
    live_server, worker, board: Dashboard, analyst: User, login: Callable[[User], Page]  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    page = login(analyst)
    open_board(page, f"{live_server.url}{reverse('boards:dashboard', args=[board.pk])}")
    line = board.widgets.get(visualization__spec__type="line")
    bar = board.widgets.get(visualization__spec__type="bar")
    lines = page.locator(f'[data-widget="{line.pk}"] g.trace.scatter')
    expect(lines).to_have_count(4)
    expect(page.locator(f'[data-widget="{bar.pk}"] g.trace.bars g.point')).to_have_count(4)
    page.fill('input[data-filter="max_id"]', "2")
    page.keyboard.press("Enter")
    page.locator('input[data-filter="max_id"]').dispatch_event("change")
    expect(lines).to_have_count(2)  # ids 1 and 2 are in regions 1 and 2
    expect(page.locator(f'[data-widget="{bar.pk}"] g.trace.bars g.point')).to_have_count(2)
    assert json.loads(re.search(r"filters=([^&]+)", page.url).group(1).replace("%22", '"')
                      .replace("%7B", "{").replace("%7D", "}").replace("%3A", ":")) == {"max_id": 2}


def test_clicking_a_bar_cross_filters_the_rest(
    live_server, worker, board: Dashboard, analyst: User, login: Callable[[User], Page]  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    page = login(analyst)
    open_board(page, f"{live_server.url}{reverse('boards:dashboard', args=[board.pk])}")
    line = board.widgets.get(visualization__spec__type="line")
    bar = board.widgets.get(visualization__spec__type="bar")
    lines = page.locator(f'[data-widget="{line.pk}"] g.trace.scatter')
    expect(lines).to_have_count(4)
    first_bar = page.locator(f'[data-widget="{bar.pk}"] g.trace.bars g.point path').first
    first_bar.click(force=True)
    chip = page.locator("[data-cross-filters] .chip")
    expect(chip).to_contain_text("region = ")
    expect(lines).to_have_count(1)
    expect(page.locator(f'[data-widget="{line.pk}"] [data-filtered]')).to_contain_text("region")
    expect(page.locator(f'[data-widget="{bar.pk}"] g.trace.bars g.point')).to_have_count(4)
    chip.click()
    expect(lines).to_have_count(4)


def test_public_link_logged_out_draws_the_charts_and_a_revoked_one_is_404(
    live_server, worker, board: Dashboard, analyst: User, page: Page  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    link, token = create_public_link(analyst, board)
    url = f"{live_server.url}{reverse('boards:public', args=[token])}"
    open_board(page, url)
    bar = board.widgets.get(visualization__spec__type="bar")
    line = board.widgets.get(visualization__spec__type="line")
    expect(page.locator(f'[data-widget="{bar.pk}"] svg.main-svg').first).to_be_visible()
    expect(page.locator(f'[data-widget="{bar.pk}"] g.trace.bars g.point')).to_have_count(4)
    expect(page.locator(f'[data-widget="{line.pk}"] g.trace.scatter')).to_have_count(4)
    expect(page.locator("[data-edit-toggle], [data-share], [data-csv]")).to_have_count(0)
    expect(page.locator('input[data-filter="max_id"]')).to_be_disabled()
    from dashboards.sharing import revoke_public_link

    revoke_public_link(analyst, link)
    assert page.goto(url).status == 404
    assert page.request.get(f"{url}data").status == 404
