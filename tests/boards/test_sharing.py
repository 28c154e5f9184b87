"""Sharing: users and groups, public links (hashed, revocable, limited filter values) and
signed, expiring, revocable embeds."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboards.boards.access import can_edit_dashboard, get_dashboards_for_user
from dashboards.boards.sharing import (
    create_public_link,
    read_embed_token,
    revoke_embeds,
    revoke_public_link,
    share_dashboard,
    sign_embed_token,
)
from dashboards.models import Dashboard, PublicLink, QueryRun, SharePermission
from tests.boards.conftest import Events, widgets_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer() -> User:
    return User.objects.create_user("vic_viewer", password="pw-viewer-1")


def test_sharing_with_a_group_gives_its_members_view_or_edit(
    board: Dashboard, analyst: User, viewer: User
) -> None:
    group = Group.objects.create(name="finance")
    viewer.groups.add(group)
    assert board not in get_dashboards_for_user(viewer)
    share_dashboard(analyst, board, permission=SharePermission.VIEW, with_group=group)
    assert board in get_dashboards_for_user(viewer)
    assert not can_edit_dashboard(viewer, board)
    share_dashboard(analyst, board, permission=SharePermission.EDIT, with_group=group)
    assert can_edit_dashboard(viewer, board)
    assert board.shares.count() == 1


def test_the_public_token_is_stored_only_as_its_hash(board: Dashboard, analyst: User) -> None:
    link, token = create_public_link(analyst, board)
    assert len(token) >= 40
    stored = PublicLink.objects.get(pk=link.pk)
    assert token not in (stored.token_hash, stored.token_hint) and len(stored.token_hash) == 64
    assert Client().get(reverse("boards:public", args=[token])).status_code == 200
    assert Client().get(reverse("boards:public", args=[token + "x"])).status_code == 404


def test_revoked_and_expired_links_are_404(board: Dashboard, analyst: User) -> None:
    link, token = create_public_link(analyst, board)
    revoke_public_link(analyst, link)
    assert Client().get(reverse("boards:public", args=[token])).status_code == 404
    assert Client().get(reverse("boards:public_data", args=[token])).status_code == 404
    _, expired = create_public_link(
        analyst, board, expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Client().get(reverse("boards:public", args=[expired])).status_code == 404


def test_a_public_link_dies_with_its_creators_account(board: Dashboard, analyst: User) -> None:
    _, token = create_public_link(analyst, board)
    analyst.is_active = False
    analyst.save()
    assert Client().get(reverse("boards:public", args=[token])).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_public_viewer_can_only_pick_allowed_filter_values(
    board: Dashboard, analyst: User, load_board: Callable[..., Events]
) -> None:
    _, token = create_public_link(analyst, board, allowed_filter_values={"max_id": [10, 20]})
    url = reverse("boards:public_data", args=[token])
    client = Client()
    allowed = widgets_of(load_board(client, url, filters={"max_id": 10}))
    assert all(p["status"] == "ok" for p in allowed.values())
    refused = client.get(url, {"filters": '{"max_id": 30}'})
    assert refused.status_code == 400
    assert refused.json()["field"] == "max_id"
    runs = QueryRun.objects.filter(origin="widget")
    assert {r.parameters.get("max_id") for r in runs} == {10}
    assert {r.user_id for r in runs} == {analyst.pk}
    assert {r.sql for r in runs} <= {
        w.visualization.query.sql for w in board.widgets.exclude(visualization=None)
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_public_viewer_cannot_force_the_queries_to_run_again(
    board: Dashboard, analyst: User, load_board: Callable[..., Events]
) -> None:
    _, token = create_public_link(analyst, board)
    url = reverse("boards:public_data", args=[token])
    load_board(Client(), url)
    executions = QueryRun.objects.exclude(execution=None).count()
    events = load_board(Client(), url, refresh="1", max_age="0")
    assert all(p["is_cached"] for p in widgets_of(events).values())
    assert QueryRun.objects.exclude(execution=None).count() == executions


def test_an_embed_token_is_signed_expires_and_can_be_revoked(
    board: Dashboard, analyst: User
) -> None:
    token = sign_embed_token(analyst, board, ttl_s=600, filter_values={"max_id": 5})
    grant = read_embed_token(token)
    assert grant.dashboard == board and grant.run_as == analyst
    assert grant.filter_values == {"max_id": 5}
    page = Client().get(reverse("boards:embed", args=[token]))
    assert page.status_code == 200
    assert "X-Frame-Options" not in page  # meant for an iframe
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(reverse("boards:embed", args=[forged])).status_code == 404
    with mock.patch("dashboards.boards.sharing.time.time", return_value=time.time() + 601):
        assert Client().get(reverse("boards:embed", args=[token])).status_code == 404
    revoke_embeds(analyst, board)
    assert Client().get(reverse("boards:embed", args=[token])).status_code == 404


def test_the_share_endpoint_is_for_the_owner_only(
    board: Dashboard, analyst_web: Client, viewer: User
) -> None:
    url = f"/api/dashboards/{board.pk}/share"
    answer = analyst_web.post(
        f"{url}/grants",
        {"username": "vic_viewer", "permission": "edit"},
        content_type="application/json",
    ).json()
    assert answer["shares"] == [
        {"id": board.shares.get().pk, "user": "vic_viewer", "group": None, "permission": "edit"}
    ]
    published = analyst_web.post(f"{url}/links", {}, content_type="application/json")
    assert published.status_code == 201
    assert published.json()["url"].startswith("http://testserver/public/dashboards/")
    link_id = published.json()["links"][0]["id"]
    revoked = analyst_web.delete(f"{url}/links/{link_id}").json()
    assert revoked["links"][0]["revoked_at"] is not None and revoked["url"] is None
    editor = Client()
    editor.force_login(viewer)
    assert editor.get(url).status_code == 403  # may edit, but not share
    assert editor.post(f"{url}/embeds", {}, content_type="application/json").status_code == 403
    assert editor.get(reverse("boards:dashboard", args=[board.pk])).status_code == 200


def test_allowed_values_a_filter_does_not_admit_are_refused_with_the_field(
    board: Dashboard, analyst_web: Client
) -> None:
    refused = analyst_web.post(
        f"/api/dashboards/{board.pk}/share/links",
        {"allowed_filter_values": {"nope": [1]}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json() == {"detail": "the dashboard has no filter nope", "field": "nope"}
