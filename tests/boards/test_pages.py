"""The dashboard pages as HTML: who gets them, what they carry."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dashboards.models import Dashboard

pytestmark = pytest.mark.django_db


def board_config(response: object) -> dict:
    html = response.content.decode()  # type: ignore[attr-defined]
    start = html.index('id="board-config"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_the_owner_gets_the_grid_with_every_widget_and_the_local_map_shapes(
    board: Dashboard, analyst_web: Client
) -> None:
    response = analyst_web.get(reverse("boards:dashboard", args=[board.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for widget in board.widgets.all():
        assert f'gs-id="{widget.pk}"' in html
    assert "<strong>regions</strong>" in html
    config = board_config(response)
    assert config["can_edit"] is True
    assert config["plotly"]["topojsonURL"] == "/static/dist/topojson/"
    assert config["filters"][0]["name"] == "max_id"
    assert "cdn" not in html.lower()


def test_markdown_in_a_text_widget_cannot_inject_script(
    board: Dashboard, analyst_web: Client
) -> None:
    text = board.widgets.get(kind="text")
    text.text = "<script>alert(1)</script> [x](javascript:alert(2))"
    text.save()
    html = analyst_web.get(reverse("boards:dashboard", args=[board.pk])).content.decode()
    assert "<script>alert(1)" not in html
    assert 'href="javascript:' not in html


def test_a_stranger_gets_404_and_a_logged_out_visitor_the_login_page(
    board: Dashboard, admin: User
) -> None:
    stranger = User.objects.create_user("sam_stranger", password="pw-stranger-1")
    client = Client()
    client.force_login(stranger)
    assert client.get(reverse("boards:dashboard", args=[board.pk])).status_code == 404
    assert client.get(reverse("boards:data", args=[board.pk])).status_code == 404
    anonymous = Client().get(reverse("boards:dashboard", args=[board.pk]))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_list_shows_own_and_shared_dashboards(board: Dashboard, analyst_web: Client) -> None:
    html = analyst_web.get(reverse("boards:list")).content.decode()
    assert f'data-dashboard-row="{board.pk}"' in html


def test_the_visualization_editor_opens_on_a_saved_query(
    board: Dashboard, analyst_web: Client
) -> None:
    visualization = board.widgets.get(visualization__spec__type="bar").visualization
    response = analyst_web.get(reverse("boards:visualization", args=[visualization.pk]))
    assert response.status_code == 200
    assert b'id="viz-config"' in response.content
