"""A dashboard loads through one request: an event stream carrying every widget's figure,
each with its freshness or its own error; many viewers cause one execution per widget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dashboards.models import Dashboard, Execution, QueryRun, Widget
from tests.boards.conftest import Events, widgets_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]


def data_url(dashboard: Dashboard) -> str:
    return reverse("boards:data", args=[dashboard.pk])


def test_one_request_brings_every_widget_with_its_figure_and_freshness(
    board: Dashboard, analyst_web: Client, load_board: Callable[..., Events]
) -> None:
    events = load_board(analyst_web, data_url(board))
    assert events[-1][0] == "done"
    widgets = widgets_of(events)
    charts = list(board.widgets.filter(kind="visualization"))
    assert set(widgets) == {w.pk for w in charts}
    for widget in charts:
        payload = widgets[widget.pk]
        assert payload["status"] == "ok", payload
        assert payload["refreshed_at"]
        assert payload["figure"]["data"]
    bar = next(w for w in charts if w.visualization.spec["type"] == "bar")
    trace = widgets[bar.pk]["figure"]["data"][0]
    assert sorted(trace["x"]) == ["region_0", "region_1", "region_2", "region_3"]
    assert widgets[bar.pk]["click"] == {"column": "region", "field": "x"}


def test_second_load_is_answered_from_the_cache(
    board: Dashboard, analyst_web: Client, load_board: Callable[..., Events]
) -> None:
    load_board(analyst_web, data_url(board))
    executions = Execution.objects.count()
    events = load_board(analyst_web, data_url(board))
    assert all(p["is_cached"] for p in widgets_of(events).values())
    assert Execution.objects.count() == executions
    running = [d for name, d in events if name == "widget" and d["status"] == "running"]
    assert running == []


def test_a_filter_changes_every_bound_widget(
    board: Dashboard, analyst_web: Client, load_board: Callable[..., Events]
) -> None:
    widgets = widgets_of(load_board(analyst_web, data_url(board), filters={"max_id": 8}))
    bar = board.widgets.get(visualization__spec__type="bar")
    line = board.widgets.get(visualization__spec__type="line")
    totals = widgets[bar.pk]["figure"]["data"][0]["y"]
    assert sum(totals) == pytest.approx(sum(i * 1.5 for i in range(1, 9)))
    points = sum(len(trace["x"]) for trace in widgets[line.pk]["figure"]["data"])
    assert points == 8
    parameters = {r.parameters.get("max_id") for r in QueryRun.objects.filter(origin="widget")}
    assert 8 in parameters


def test_a_filter_value_of_the_wrong_type_is_refused(board: Dashboard, analyst_web: Client) -> None:
    response = analyst_web.get(data_url(board), {"filters": '{"max_id": "many"}'})
    assert response.status_code == 400
    assert response.json()["field"] == "max_id"


def test_cross_filter_narrows_the_other_widgets_but_not_the_clicked_one(
    board: Dashboard, analyst_web: Client, load_board: Callable[..., Events]
) -> None:
    bar = board.widgets.get(visualization__spec__type="bar")
    line = board.widgets.get(visualization__spec__type="line")
    xf = [{"widget": bar.pk, "column": "region", "values": ["region_1"]}]
    widgets = widgets_of(load_board(analyst_web, data_url(board), xf=xf))
    assert [t["name"] for t in widgets[line.pk]["figure"]["data"]] == ["region_1"]
    assert widgets[line.pk]["filtered_by"] == xf
    assert len(widgets[bar.pk]["figure"]["data"][0]["x"]) == 4
    assert widgets[bar.pk]["filtered_by"] == []


def test_a_broken_widget_shows_its_own_error_and_the_others_still_draw(
    board: Dashboard, analyst_web: Client, load_board: Callable[..., Events]
) -> None:
    line = board.widgets.get(visualization__spec__type="line")
    query = line.visualization.query
    query.sql = "SELECT no_such_column FROM sales WHERE id <= {{ max_id }}"
    query.save()
    widgets = widgets_of(load_board(analyst_web, data_url(board)))
    assert widgets[line.pk]["status"] == "error"
    assert "no_such_column" in widgets[line.pk]["error"]
    others = [p for wid, p in widgets.items() if wid != line.pk]
    assert others and all(p["status"] == "ok" for p in others)


def test_a_spec_that_no_longer_fits_the_result_is_that_widgets_error(
    board: Dashboard, analyst_web: Client, load_board: Callable[..., Events]
) -> None:
    bar = board.widgets.get(visualization__spec__type="bar")
    bar.visualization.spec = {"type": "bar", "encodings": {"x": "gone", "y": ["total"]}}
    bar.visualization.save()
    widgets = widgets_of(load_board(analyst_web, data_url(board)))
    assert widgets[bar.pk]["status"] == "error"
    assert "unknown column 'gone'" in widgets[bar.pk]["error"]


def test_many_viewers_cause_one_execution_per_widget(
    board: Dashboard, analyst: User, load_board: Callable[..., Events]
) -> None:
    """Viewers arriving together, with nothing cached: identical runs join in flight."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    viewers = [User.objects.create_user(f"viewer_{i}", password="pw-viewer-1") for i in range(12)]
    from dashboards.models import DashboardShare

    for viewer in viewers:
        DashboardShare.objects.create(dashboard=board, user=viewer, permission="view")

    def view(user: User) -> dict[int, dict[str, Any]]:
        client = Client()
        client.force_login(user)
        try:
            return widgets_of(load_board(client, data_url(board)))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(view, viewers))
    charts = Widget.objects.filter(dashboard=board, kind="visualization").count()
    for widgets in results:
        assert len(widgets) == charts
        assert all(p["status"] == "ok" for p in widgets.values()), widgets
    assert Execution.objects.count() == charts
    assert QueryRun.objects.filter(origin="widget").count() == charts * len(viewers)
