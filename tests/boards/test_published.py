"""What a published dashboard's anonymous viewers cost and see: viewing cached results
writes no rows, and a public link or embed serves the SQL its publisher published, not a
later edit of a query someone else owns."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dashboards.boards.dashboards import add_widget, create_dashboard
from dashboards.boards.sharing import create_public_link, sign_embed_token
from dashboards.boards.visualizations import create_visualization
from dashboards.library.queries import create_saved_query, update_saved_query
from dashboards.models import AuditEvent, Dashboard, DataSource, PublicLink, QueryRun
from tests.boards.conftest import Events, widgets_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]


def row_counts() -> tuple[int, int]:
    return QueryRun.objects.count(), AuditEvent.objects.count()


def test_anonymous_views_of_cached_results_write_no_rows(
    board: Dashboard, analyst: User, analyst_web: Client, load_board: Callable[..., Events]
) -> None:
    _, token = create_public_link(analyst, board)
    embed = sign_embed_token(analyst, board, ttl_s=600)
    public_url = reverse("boards:public_data", args=[token])
    embed_url = reverse("boards:embed_data", args=[embed])
    first = widgets_of(load_board(Client(), public_url))
    assert first and all(p["status"] == "ok" for p in first.values()), first
    widget_runs = QueryRun.objects.filter(origin="widget").count()
    assert widget_runs == len(first)  # the misses ran once each, as the publisher
    before = row_counts()
    for _ in range(5):
        for url in (public_url, embed_url):
            Client().get(reverse("boards:public", args=[token]))
            widgets = widgets_of(load_board(Client(), url))
            assert all(p["status"] == "ok" and p["is_cached"] for p in widgets.values())
            assert {p["id"] for p in widgets.values()} == set(first)
    assert row_counts() == before
    # the publisher's own view is unchanged: a run per widget, audited
    widgets_of(load_board(analyst_web, reverse("boards:data", args=[board.pk])))
    assert QueryRun.objects.count() == before[0] + len(first)


@pytest.fixture
def owner() -> User:
    return User.objects.create_user("oscar_owner", password="pw-owner-1")


def labels(events: Events) -> set[str]:
    """The x values drawn by every widget of the events."""
    drawn: set[str] = set()
    for payload in widgets_of(events).values():
        assert payload["status"] == "ok", payload
        for trace in payload["figure"]["data"]:
            drawn.update(str(x) for x in trace.get("x", []))
    return drawn


def test_a_published_dashboard_keeps_serving_the_sql_its_publisher_published(
    owner: User,
    analyst: User,
    analyst_web: Client,
    duck_source: DataSource,
    load_board: Callable[..., Events],
) -> None:
    query = create_saved_query(
        owner, name="Label", sql="SELECT 'published' AS label, 1 AS n", datasource=duck_source
    )
    chart = create_visualization(
        analyst,
        query=query,
        name="Label",
        spec={"type": "bar", "encodings": {"x": "label", "y": ["n"]}},
    )
    dashboard = create_dashboard(analyst, name="Built on Oscar's query")
    add_widget(analyst, dashboard, visualization=chart)
    link, token = create_public_link(analyst, dashboard)
    embed = sign_embed_token(analyst, dashboard, ttl_s=600)
    public_url = reverse("boards:public_data", args=[token])
    embed_url = reverse("boards:embed_data", args=[embed])
    assert labels(load_board(Client(), public_url)) == {"published"}

    update_saved_query(owner, query, changes={"sql": "SELECT 'edited' AS label, 2 AS n"})

    assert labels(load_board(Client(), public_url, max_age="60")) == {"published"}
    assert labels(load_board(Client(), embed_url)) == {"published"}
    assert not QueryRun.objects.filter(sql__contains="edited").exists()  # never ran
    # the publisher's own dashboard shows the query as it is now, and tells the link is stale
    assert labels(load_board(analyst_web, reverse("boards:data", args=[dashboard.pk]))) == {
        "edited"
    }
    sharing = analyst_web.get(f"/api/dashboards/{dashboard.pk}/share").json()
    (listed,) = sharing["links"]
    assert listed["stale_widget_ids"] == [dashboard.widgets.get().pk]

    # publishing again is the publisher's decision, and only theirs
    owner_web = Client()
    owner_web.force_login(owner)
    url = f"/api/dashboards/{dashboard.pk}/share/links/{link.pk}/publish"
    assert owner_web.post(url).status_code in (403, 404)
    republished = analyst_web.post(url)
    assert republished.status_code == 200, republished.content
    assert republished.json()["links"][0]["stale_widget_ids"] == []
    assert labels(load_board(Client(), public_url)) == {"edited"}
    assert labels(load_board(Client(), embed_url)) == {"published"}  # signed before


def test_a_widget_added_after_publishing_is_not_served_by_the_link(
    board: Dashboard, analyst: User, duck_source: DataSource, load_board: Callable[..., Events]
) -> None:
    link, token = create_public_link(analyst, board)
    query = create_saved_query(
        analyst, name="Later", sql="SELECT 'later' AS label, 1 AS n", datasource=duck_source
    )
    chart = create_visualization(
        analyst,
        query=query,
        name="Later",
        spec={"type": "bar", "encodings": {"x": "label", "y": ["n"]}},
    )
    later = add_widget(analyst, board, visualization=chart)
    widgets = widgets_of(load_board(Client(), reverse("boards:public_data", args=[token])))
    assert widgets[later.pk]["status"] == "error"
    assert "after the dashboard was published" in widgets[later.pk]["error"]
    assert [p["status"] for i, p in widgets.items() if i != later.pk] == ["ok", "ok"]
    assert not QueryRun.objects.filter(sql__contains="later").exists()
    assert PublicLink.objects.get(pk=link.pk).pins.count() == 2
    assert json.dumps(widgets)  # every payload is JSON
