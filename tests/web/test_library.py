"""Saved queries as the pages use them (their JavaScript calls the JSON API with the
session): versions on every saved change, diff and restore, fork, delete with undo, search
and filters, drafts."""

from __future__ import annotations

import json

import pytest

from dashboards.models import Draft, QueryVersion, SavedQuery


def save(client, id=None, **fields):  # type: ignore[no-untyped-def]
    """What the editor's Save does: create, or change the query it holds."""
    body = {
        "name": "Revenue",
        "description": "",
        "tags": [],
        "datasource": "shop",
        "sql": "SELECT 1",
        "parameters": [],
        **fields,
    }
    if id is None:
        return client.post("/api/queries", json.dumps(body), content_type="application/json")
    return client.patch(f"/api/queries/{id}", json.dumps(body), content_type="application/json")


def test_saving_records_versions_and_tags(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    created = save(analyst_web, tags=["Finance", "finance", " weekly "]).json()
    assert created["version"] == 1 and created["tags"] == ["finance", "weekly"]
    same = save(analyst_web, id=created["id"], description="only words changed").json()
    assert same["version"] == 1
    changed = save(analyst_web, id=created["id"], sql="SELECT 2").json()
    assert changed["version"] == 2
    assert list(QueryVersion.objects.values_list("number", "sql")) == [
        (2, "SELECT 2"),
        (1, "SELECT 1"),
    ]


def test_api_edits_are_versioned_too(analyst_api, duck_source) -> None:  # type: ignore[no-untyped-def]
    body = {"name": "q", "sql": "SELECT 1", "datasource": "shop"}
    query_id = analyst_api.post("/api/queries", body, content_type="application/json").json()["id"]
    analyst_api.patch(
        f"/api/queries/{query_id}", {"sql": "SELECT 10"}, content_type="application/json"
    )
    assert QueryVersion.objects.filter(query_id=query_id).count() == 2


def test_diff_and_restore(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    query_id = save(analyst_web, sql="SELECT a\nFROM t").json()["id"]
    save(analyst_web, id=query_id, sql="SELECT a, b\nFROM t")
    Draft.objects.create(
        user=SavedQuery.objects.get().owner,
        key=f"query-{query_id}",
        sql="draft",
        updated_at="2024-01-01T00:00:00Z",
    )
    page = analyst_web.get(f"/queries/{query_id}/versions/").content.decode()
    assert (
        '<div class="del">-SELECT a</div>' in page and '<div class="add">+SELECT a, b</div>' in page
    )
    response = analyst_web.post(f"/api/queries/{query_id}/versions/1/restore")
    assert response.status_code == 200 and response.json()["version"] == 3
    query = SavedQuery.objects.get(pk=query_id)
    assert query.sql == "SELECT a\nFROM t"
    assert query.versions.first().note == "restored version 1"
    assert not Draft.objects.filter(key=f"query-{query_id}").exists()  # the editor shows v3


def test_fork_copies_and_notes_the_origin(analyst_web, admin_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    query_id = save(analyst_web, tags=["kpi"]).json()["id"]
    response = admin_web.post(f"/api/queries/{query_id}/fork")
    fork = SavedQuery.objects.exclude(pk=query_id).get()
    assert response.status_code == 201 and response.json()["id"] == fork.pk
    assert fork.owner.username == "ada_admin" and fork.name == "Copy of Revenue"
    assert list(fork.tags.values_list("name", flat=True)) == ["kpi"]
    assert fork.versions.get().note == f"forked from #{query_id} version 1"


def test_delete_hides_everywhere_and_undo_brings_it_back(
    analyst_web, analyst_api, admin, duck_source
) -> None:  # type: ignore[no-untyped-def]
    query_id = save(analyst_web).json()["id"]
    assert analyst_web.post(f"/api/queries/{query_id}/trash").status_code == 204
    row = analyst_web.get(f"/queries/{query_id}/row", headers={"HX-Request": "true"})
    assert b"Undo" in row.content and b"data-trashed-row" in row.content
    assert analyst_api.get(f"/api/queries/{query_id}").status_code == 404
    assert analyst_web.get(f"/queries/{query_id}/").status_code == 404
    assert b"Revenue" not in analyst_web.get("/queries/", headers={"HX-Request": "true"}).content
    assert analyst_web.post(f"/api/queries/{query_id}/untrash").json()["name"] == "Revenue"
    assert analyst_api.get(f"/api/queries/{query_id}").status_code == 200
    assert b"data-query-row" in analyst_web.get(f"/queries/{query_id}/row").content


def test_only_the_owner_may_delete(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User
    from django.test import Client

    query_id = save(analyst_web).json()["id"]
    other = Client()
    other.force_login(User.objects.create_user("bob_other", password="x-password-1"))
    assert other.post(f"/api/queries/{query_id}/trash").status_code == 403
    assert save(other, id=query_id, sql="SELECT 666").status_code == 403
    assert SavedQuery.objects.get(pk=query_id).sql == "SELECT 1"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=revenue", {"Revenue"}),
        ("search=FROM+sales", {"Sales"}),
        ("tag=kpi", {"Sales"}),
        ("datasource=shop", {"Revenue", "Sales"}),
        ("owner=nobody", set()),
    ],
)
def test_search_and_filters(analyst_web, duck_source, query, expected) -> None:  # type: ignore[no-untyped-def]
    save(analyst_web, name="Revenue")
    save(analyst_web, name="Sales", sql="SELECT * FROM sales", tags=["kpi"])
    page = analyst_web.get(f"/queries/?{query}", headers={"HX-Request": "true"}).content.decode()
    assert {name for name in ("Revenue", "Sales") if f">{name}</a>" in page} == expected


def test_saving_checks_parameter_specs(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    bad = save(analyst_web, sql="SELECT {{ x }}", parameters=[{"name": "x", "type": "enum"}])
    assert bad.status_code == 400 and "needs at least one value" in bad.json()["detail"]
    good = save(
        analyst_web,
        sql="SELECT {{ x }}, {{ y }}",
        parameters=[{"name": "x", "type": "number"}, {"name": "unused", "type": "date"}],
    )
    assert [p["name"] for p in good.json()["parameters"]] == ["x", "y"]
    assert good.json()["parameters"][1]["type"] == "text"


def test_drafts_are_per_user_and_checked(analyst_web, admin_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    def put(key: str):  # type: ignore[no-untyped-def]
        body = {"sql": "SELECT 'wip'", "datasource": "shop", "parameters": []}
        return analyst_web.put(
            f"/api/drafts/{key}", json.dumps(body), content_type="application/json"
        )

    assert put("new").status_code == 200
    page = analyst_web.get("/editor/").content.decode()
    assert """"sql": "SELECT 'wip'\"""" in page
    assert "wip" not in admin_web.get("/editor/").content.decode()
    assert put("query-999").status_code == 404
    assert put("bogus").status_code == 400


def test_deleting_from_the_editor_offers_undo(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    query_id = save(analyst_web).json()["id"]
    assert analyst_web.post(f"/api/queries/{query_id}/trash").status_code == 204
    page = analyst_web.get(f"/queries/?trashed={query_id}").content.decode()
    assert 'id="undo-toast"' in page
    assert f'data-query-action="untrash" data-query="{query_id}"' in page
    assert analyst_web.post(f"/api/queries/{query_id}/untrash").status_code == 200
