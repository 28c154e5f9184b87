"""Dashboards and visualizations in the REST API, and export/import between instances."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboards.models import Dashboard, SavedQuery, Visualization
from tests.conftest import bearer_client

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_create_read_update_list_and_delete_a_visualization(
    analyst_api: Client, sales_query: SavedQuery
) -> None:
    spec = {"type": "bar", "encodings": {"x": "region", "y": ["total"]}}
    created = post(
        analyst_api,
        "/api/visualizations",
        {"query_id": sales_query.pk, "name": "Bars", "spec": spec},
    )
    assert created.status_code == 201, created.content
    viz = created.json()
    assert viz["spec"] == spec
    changed = analyst_api.patch(
        f"/api/visualizations/{viz['id']}",
        {"spec": {**spec, "type": "pie"}},
        content_type="application/json",
    )
    assert changed.json()["spec"]["type"] == "pie"
    listed = analyst_api.get(f"/api/visualizations?query_id={sales_query.pk}").json()
    assert [v["id"] for v in listed] == [viz["id"]]
    assert analyst_api.delete(f"/api/visualizations/{viz['id']}").status_code == 204
    assert analyst_api.get(f"/api/visualizations/{viz['id']}").status_code == 404


def test_a_bad_spec_is_refused_with_the_field(analyst_api: Client, sales_query: SavedQuery) -> None:
    response = post(
        analyst_api,
        "/api/visualizations",
        {"query_id": sales_query.pk, "name": "x", "spec": {"type": "bar", "colour": "red"}},
    )
    assert response.status_code == 400
    assert "colour" in response.json()["detail"]


def test_create_a_dashboard_with_filters_and_widgets_in_one_call(
    analyst_api: Client, bar_chart: Visualization
) -> None:
    body = {
        "name": "Ops",
        "filters": [{"name": "max_id", "type": "number", "default": 50}],
        "widgets": [
            {
                "visualization_id": bar_chart.pk,
                "position": {"x": 0, "y": 0, "width": 8, "height": 5},
            },
            {"text": "## Notes"},
        ],
    }
    created = post(analyst_api, "/api/dashboards", body)
    assert created.status_code == 201, created.content
    dashboard = created.json()
    chart, text = dashboard["widgets"]
    assert chart["parameter_bindings"] == {"max_id": {"filter": "max_id"}}  # bound by name
    assert chart["position"] == {"x": 0, "y": 0, "width": 8, "height": 5}
    assert text["kind"] == "text" and text["position"]["y"] == 5
    moved = analyst_api.patch(
        f"/api/dashboards/{dashboard['id']}/widgets/{text['id']}",
        {"position": {"x": 8, "y": 0, "width": 4, "height": 5}},
        content_type="application/json",
    )
    assert moved.json()["position"]["x"] == 8
    assert analyst_api.get("/api/dashboards").json()[0]["name"] == "Ops"


@pytest.mark.parametrize(
    ("board_filter", "message"),
    [
        ({"name": "since", "type": "date", "default": "2024-02-30"}, "filter since: day is out"),
        ({"name": "since", "type": "date", "default": "02/01/2024"}, "filter since must be a date"),
        ({"name": "n", "type": "number", "default": "many"}, "filter n must be a number"),
        (
            {
                "name": "span",
                "type": "date_range",
                "default": {"start": "2024-03-01", "end": "2024-01-01"},
            },
            "filter span must start no later than it ends",
        ),
        (
            {"name": "color", "type": "enum", "options": ["red"], "default": "blue"},
            "filter color: 'blue' is not one of its options",
        ),
    ],
)
def test_a_filter_default_that_does_not_suit_its_type_is_refused_naming_the_filter(
    analyst_api: Client, board_filter: dict[str, Any], message: str
) -> None:
    response = post(analyst_api, "/api/dashboards", {"name": "Ops", "filters": [board_filter]})

    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_a_widget_cannot_bind_to_a_filter_the_dashboard_lacks(
    analyst_api: Client, board: Dashboard, bar_chart: Visualization
) -> None:
    response = post(
        analyst_api,
        f"/api/dashboards/{board.pk}/widgets",
        {"visualization_id": bar_chart.pk, "parameter_bindings": {"max_id": {"filter": "nope"}}},
    )
    assert response.status_code == 400
    assert "no filter nope" in response.json()["detail"]


def test_others_can_neither_see_nor_change_a_dashboard_not_shared_with_them(
    board: Dashboard, admin: User
) -> None:
    stranger = bearer_client(User.objects.create_user("sam_stranger", password="pw-strange-1"))
    assert stranger.get(f"/api/dashboards/{board.pk}").status_code == 404
    assert stranger.delete(f"/api/dashboards/{board.pk}").status_code == 404
    assert stranger.get("/api/dashboards").json() == []
    assert bearer_client(admin).get(f"/api/dashboards/{board.pk}").status_code == 200


def test_a_viewer_may_read_but_not_edit_nor_delete(board: Dashboard) -> None:
    from dashboards.models import DashboardShare

    viewer = User.objects.create_user("vic_viewer", password="pw-viewer-1")
    DashboardShare.objects.create(dashboard=board, user=viewer, permission="view")
    client = bearer_client(viewer)
    assert client.get(f"/api/dashboards/{board.pk}").status_code == 200
    patched = client.patch(
        f"/api/dashboards/{board.pk}", {"name": "mine"}, content_type="application/json"
    )
    assert patched.status_code == 403
    assert client.delete(f"/api/dashboards/{board.pk}").status_code == 403


def test_export_then_import_on_another_instance_round_trips_the_dashboard(
    analyst_api: Client, board: Dashboard, admin: User
) -> None:
    exported = analyst_api.get(f"/api/dashboards/{board.pk}/export").json()
    assert exported["format"] == "dashwire.dashboard/1"
    assert {q["datasource"] for q in exported["queries"]} == {"shop"}
    # "another instance": nothing of the dashboard is left, only a data source named shop
    board.delete()
    Visualization.objects.all().delete()
    SavedQuery.objects.all().delete()
    other = bearer_client(admin)
    imported = post(other, "/api/dashboards/import", exported)
    assert imported.status_code == 201, imported.content
    again = other.get(f"/api/dashboards/{imported.json()['id']}/export").json()
    assert again["dashboard"] == exported["dashboard"]
    strip = lambda docs: sorted((d["name"], d["sql"], d["datasource"]) for d in docs)  # noqa: E731
    assert strip(again["queries"]) == strip(exported["queries"])
    assert sorted(v["uid"] for v in again["visualizations"]) == sorted(
        v["uid"] for v in exported["visualizations"]
    )
    # deploying the same file again updates in place
    assert post(other, "/api/dashboards/import", exported).status_code == 201
    assert Dashboard.objects.count() == 1
    assert Visualization.objects.count() == len(exported["visualizations"])
    assert SavedQuery.objects.count() == len(exported["queries"])


def test_import_needs_the_data_sources_by_name(analyst_api: Client, board: Dashboard) -> None:
    exported = analyst_api.get(f"/api/dashboards/{board.pk}/export").json()
    for query in exported["queries"]:
        query["datasource"] = "warehouse"
    response = post(analyst_api, "/api/dashboards/import", exported)
    assert response.status_code == 400
    assert "warehouse" in response.json()["detail"]


def test_board_errors_answer_400_with_the_field(analyst_web: Client, board: Dashboard) -> None:
    widget = board.widgets.exclude(visualization=None).first()
    assert widget is not None
    bindings = {"parameter_bindings": {"max_id": {"filter": "nope"}}}
    response = analyst_web.patch(
        f"/api/dashboards/{board.pk}/widgets/{widget.pk}", bindings, content_type="application/json"
    )
    assert response.status_code == 400 and "nope" in response.json()["detail"]
    embed = post(
        analyst_web,
        f"/api/dashboards/{board.pk}/share/embeds",
        {"filter_values": {"max_id": "many"}},
    )
    assert embed.status_code == 400 and embed.json()["field"] == "max_id"


def test_hidden_and_forbidden_objects(analyst_web: Client, board: Dashboard) -> None:
    unknown = post(analyst_web, f"/api/dashboards/{board.pk}/share/grants", {"username": "nobody"})
    assert unknown.status_code == 404 and unknown.json() == {"detail": "user not found"}
    outsider = Client()
    outsider.force_login(User.objects.create_user("olga_outsider", password="pw-outside-1"))
    assert outsider.get(f"/api/dashboards/{board.pk}/share").status_code == 404


def test_the_grid_saves_a_layout_in_one_call(analyst_web: Client, board: Dashboard) -> None:
    first, second = board.widgets.order_by("pk")[:2]
    layout = {
        "widgets": [
            {"id": first.pk, "x": 6, "y": 0, "width": 6, "height": 4},
            {"id": second.pk, "x": 0, "y": 0, "width": 6, "height": 4},
        ]
    }
    answer = analyst_web.put(
        f"/api/dashboards/{board.pk}/layout", layout, content_type="application/json"
    )
    assert answer.status_code == 200
    first.refresh_from_db()
    assert (first.x, first.width) == (6, 6)
    stranger = {"widgets": [{"id": 999_999, "x": 0, "y": 0, "width": 1, "height": 1}]}
    refused = analyst_web.put(
        f"/api/dashboards/{board.pk}/layout", stranger, content_type="application/json"
    )
    assert refused.status_code == 400 and "999999" in refused.json()["detail"]
