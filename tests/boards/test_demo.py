"""The demo's dashboards draw every widget over the demo data, and loading twice adds none."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dashboards.demo.dashboards import STOCKS_UID, WORLD_UID
from dashboards.demo.datasets import DEMO_USERNAME, load_demo
from dashboards.models import Dashboard
from tests.boards.conftest import Events, widgets_of


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_the_demo_dashboards_draw_every_widget(load_board: Callable[..., Events]) -> None:
    load_demo()
    assert load_demo() == []  # idempotent
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USERNAME))
    for uid in (WORLD_UID, STOCKS_UID):
        dashboard = Dashboard.objects.get(uid=uid)
        widgets = widgets_of(load_board(client, reverse("boards:data", args=[dashboard.pk])))
        assert len(widgets) == dashboard.widgets.filter(kind="visualization").count() >= 5
        problems = {i: p.get("error") for i, p in widgets.items() if p["status"] != "ok"}
        assert problems == {}
    world = Dashboard.objects.get(uid=WORLD_UID)
    in_1952 = widgets_of(
        load_board(client, reverse("boards:data", args=[world.pk]), filters={"year": "1952"})
    )
    choropleth = next(p for p in in_1952.values() if p["figure"]["data"][0]["type"] == "choropleth")
    assert len(choropleth["figure"]["data"][0]["locations"]) >= 140  # one per country with a code
