"""The one JSON API as the pages call it: session authentication needs Django's CSRF token
on unsafe requests (a token client needs none), domain errors become one body shape, and
the schema lists what the pages use."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from dashboards.models import SavedQuery
from tests.conftest import bearer_client

pytestmark = pytest.mark.django_db

DRAFT = {"sql": "SELECT 1", "datasource": "shop", "parameters": []}


def strict_session(user: User) -> Client:
    """A browser-like client: CSRF is checked, as in production."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/editor/")  # the page sets the CSRF cookie
    return client


def post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_a_session_post_without_the_csrf_header_is_refused(analyst: User, duck_source) -> None:  # type: ignore[no-untyped-def]
    client = strict_session(analyst)
    refused = post(client, "/api/queries", {"name": "q", "sql": "SELECT 1", "datasource": "shop"})
    assert refused.status_code == 403
    assert not SavedQuery.objects.exists()
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = post(
        client,
        "/api/queries",
        {"name": "q", "sql": "SELECT 1", "datasource": "shop"},
        X_CSRFToken=token,
    )
    assert accepted.status_code == 201
    assert client.get("/api/queries").status_code == 200  # reading needs no token
    put = client.put("/api/drafts/new", json.dumps(DRAFT), content_type="application/json")
    assert put.status_code == 403


def test_a_bearer_token_post_needs_no_csrf(analyst: User, duck_source) -> None:  # type: ignore[no-untyped-def]
    client = bearer_client(analyst)
    client.handler.enforce_csrf_checks = True
    created = post(client, "/api/queries", {"name": "q", "sql": "SELECT 1", "datasource": "shop"})
    assert created.status_code == 201


def test_an_anonymous_caller_is_refused(duck_source) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/api/queries").status_code == 401


def test_a_statement_that_does_not_parse_answers_with_its_position(
    analyst_web, duck_source
) -> None:  # type: ignore[no-untyped-def]
    sql = "SELECT region FROM sales WHER amount > 1"
    formatted = post(analyst_web, "/api/sql/format", {"sql": sql, "datasource": "shop"})
    assert formatted.status_code == 400
    body = formatted.json()
    assert body["sqlstate"] == "42601" and body["position"] is not None and body["detail"]
    run = post(analyst_web, "/api/runs", {"sql": sql, "datasource": "shop"})
    assert run.status_code == 400 and run.json()["status"] == "failed"
    assert run.json()["error"]["position"] == body["position"]


def test_a_missing_parameter_is_refused_by_the_parameter_rules(analyst_web, duck_source) -> None:  # type: ignore[no-untyped-def]
    sql = "SELECT * FROM sales WHERE id < {{ top }} AND region = {{ region }}"
    specs = [{"name": "top", "type": "number"}, {"name": "region", "type": "text"}]
    body = {"sql": sql, "datasource": "shop", "parameters": {"top": 5}, "parameter_specs": specs}
    error = post(analyst_web, "/api/runs", body).json()["error"]
    assert error["message"] == "parameter region needs a value"
    assert error["position"] == sql.index("{{ region") + 1 and error["sqlstate"] == "22023"


def test_a_chart_that_does_not_fit_its_result_names_the_field(  # type: ignore[no-untyped-def]
    analyst_web, finished_run
) -> None:
    import pyarrow as pa

    run = finished_run(pa.table({"region": ["a", "b"], "total": [1.0, 2.0]}))
    preview = {"source": {"run": str(run.pk)}, "spec": {"type": "bar"}}
    proposed = post(analyst_web, "/api/visualizations/preview", {**preview, "spec": None})
    assert proposed.status_code == 200 and proposed.json()["status"] == "ok"
    assert proposed.json()["row_count"] == 2 and proposed.json()["figure"]["data"]
    bad = {"type": "bar", "encodings": {"x": "region", "y": ["missing"]}}
    refused = post(analyst_web, "/api/visualizations/preview", {**preview, "spec": bad})
    assert refused.status_code == 400 and refused.json()["field"]


def test_the_schema_lists_the_routes_the_pages_call(analyst_web) -> None:  # type: ignore[no-untyped-def]
    paths = analyst_web.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/runs",
        "/api/sql/format",
        "/api/drafts/{key}",
        "/api/queries/{query_id}/fork",
        "/api/queries/{query_id}/trash",
        "/api/queries/{query_id}/options",
        "/api/datasources/test",
        "/api/dashboards/{dashboard_id}/layout",
        "/api/dashboards/{dashboard_id}/share",
        "/api/visualizations/preview",
    ):
        assert path in paths, path
