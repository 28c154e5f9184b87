"""Dashboards in a real browser: build a chart from a result, assemble and arrange a
dashboard, filters and cross-filters, the public link logged out, PNG and PDF exports."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from dashboards.boards.sharing import create_public_link
from dashboards.models import Dashboard, DataSource, Widget
from tests.boards.conftest import make_sales_board
from tests.conftest import bearer_client, wait_for_run


@pytest.fixture
def board(duck_source: DataSource, analyst: User) -> Dashboard:
    return make_sales_board(analyst, duck_source)


def open_board(page: Page, url: str) -> Page:
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-board-ready", "1", timeout=30_000)
    return page


def bar_marks(page: Page, widget: Widget) -> int:
    return page.locator(f'[data-widget="{widget.pk}"] g.trace.bars g.point').count()


def test_build_a_chart_from_a_result_and_put_it_on_a_dashboard(
    live_server,
    worker,
    duck_source,
    analyst: User,
    login: Callable[[User], Page],  # type: ignore[no-untyped-def]
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
    live_server,
    worker,
    board: Dashboard,
    analyst: User,
    login: Callable[[User], Page],  # type: ignore[no-untyped-def]
) -> None:
    page = login(analyst)
    url = f"{live_server.url}{reverse('boards:dashboard', args=[board.pk])}?edit=1"
    open_board(page, url)
    bar = board.widgets.get(visualization__spec__type="bar")
    item = page.locator(f'.grid-stack-item[gs-id="{bar.pk}"]')
    head = item.locator(".widget-head")
    box = head.bounding_box()
    assert box is not None
    grid = page.locator(".grid-stack").bounding_box()
    assert grid is not None
    column_px, row_px = grid["width"] / 12, 56
    # to the right half, where the line chart is: the two trade places
    page.mouse.move(box["x"] + 60, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 60 + 6 * column_px, box["y"] + 10 + 6.5 * row_px, steps=20)
    expect(page.locator(".grid-stack-placeholder")).to_have_attribute("gs-x", "6")
    page.mouse.up()
    expect(page.locator("[data-board]")).to_have_attribute("data-layout-saved", re.compile(r"\d+"))
    page.wait_for_function("!document.querySelector('[data-board]').dataset.layoutSaving")
    bar.refresh_from_db()
    assert (bar.x, bar.width, bar.height) == (6, 6, 6)
    assert board.widgets.get(visualization__spec__type="line").x == 0
    # narrower by two columns, taller by two rows, from the bottom-right corner
    item.hover()
    corner = item.locator(".ui-resizable-se").bounding_box()
    assert corner is not None
    saved = page.locator("[data-board]").get_attribute("data-layout-saved")
    grip_x, grip_y = corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2
    page.mouse.move(grip_x, grip_y)
    page.mouse.down()
    page.mouse.move(grip_x - 2 * column_px, grip_y + 2 * row_px, steps=20)
    expect(page.locator(".grid-stack-placeholder")).to_have_attribute("gs-w", "4")
    expect(page.locator(".grid-stack-placeholder")).to_have_attribute("gs-h", "8")
    page.mouse.up()
    expect(page.locator("[data-board]")).not_to_have_attribute("data-layout-saved", saved or "")
    page.wait_for_function("!document.querySelector('[data-board]').dataset.layoutSaving")
    bar.refresh_from_db()
    assert (bar.x, bar.width, bar.height) == (6, 4, 8)
    open_board(page, url)
    expect(item).to_have_attribute("gs-x", str(bar.x))
    expect(item).to_have_attribute("gs-y", str(bar.y))
    expect(item).to_have_attribute("gs-w", str(bar.width))
    expect(item).to_have_attribute("gs-h", str(bar.height))


def test_a_filter_changes_every_bound_widget(
    live_server,
    worker,
    board: Dashboard,
    analyst: User,
    login: Callable[[User], Page],  # type: ignore[no-untyped-def]
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
    expect(lines).to_have_count(2)  # ids 1 and 2 are in regions 1 and 2
    expect(page.locator(f'[data-widget="{bar.pk}"] g.trace.bars g.point')).to_have_count(2)
    filters = parse_qs(urlparse(page.url).query)["filters"][0]
    assert json.loads(filters) == {"max_id": 2}


def test_clicking_a_bar_cross_filters_the_rest(
    live_server,
    worker,
    board: Dashboard,
    analyst: User,
    login: Callable[[User], Page],  # type: ignore[no-untyped-def]
) -> None:
    page = login(analyst)
    open_board(page, f"{live_server.url}{reverse('boards:dashboard', args=[board.pk])}")
    line = board.widgets.get(visualization__spec__type="line")
    bar = board.widgets.get(visualization__spec__type="bar")
    lines = page.locator(f'[data-widget="{line.pk}"] g.trace.scatter')
    expect(lines).to_have_count(4)
    first_bar = page.locator(f'[data-widget="{bar.pk}"] g.trace.bars g.point path').first
    # plotly's drag layer lies over the bars and takes the click at the bar's place
    box = first_bar.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    chip = page.locator("[data-cross-filters] .chip")
    expect(chip).to_contain_text("region = ")
    expect(lines).to_have_count(1)
    expect(page.locator(f'[data-widget="{line.pk}"] [data-filtered]')).to_contain_text("region")
    expect(page.locator(f'[data-widget="{bar.pk}"] g.trace.bars g.point')).to_have_count(4)
    chip.click()
    expect(lines).to_have_count(4)


def test_public_link_logged_out_draws_the_charts_and_a_revoked_one_is_404(
    live_server,
    worker,
    board: Dashboard,
    analyst: User,
    page: Page,  # type: ignore[no-untyped-def]
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
    from dashboards.boards.sharing import revoke_public_link

    revoke_public_link(analyst, link)
    assert page.goto(url).status == 404
    assert page.request.get(f"{url}data").status == 404


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_and_pdf_exports_are_rendered_on_the_server_at_the_asked_size(
    live_server,
    worker,
    board: Dashboard,
    analyst: User,
    login: Callable[[User], Page],  # type: ignore[no-untyped-def]
) -> None:
    page = login(analyst)
    base = f"{live_server.url}{reverse('boards:export', args=[board.pk, 'png'])}"
    png = page.request.get(f"{base}?width=1024", timeout=120_000)
    assert png.status == 200, png.text()
    assert png.headers["content-type"] == "image/png"
    width, height = png_size(png.body())
    assert width == 1024 and height >= 8 * 56  # every row of the grid, not a blank frame
    assert len(png.body()) > 20_000
    pdf = page.request.get(
        base.replace("export.png", "export.pdf") + "?width=1024", timeout=120_000
    )
    assert pdf.status == 200
    body = pdf.body()
    assert body.startswith(b"%PDF")
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", body)
    assert box is not None
    assert float(box.group(1)) == pytest.approx(1024 * 0.75, abs=1)
    assert float(box.group(2)) == pytest.approx(height * 0.75, abs=2)
