"""One user's slow queries leave the worker a slot for everyone else's, and one user cannot
queue without end."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import WorkerHandle, bearer_client, wait_for_run

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_SQL = "SELECT count(*) AS n FROM range(1000000000) a, range(1000) b WHERE a.range % {} = 1"


def post_run(client: Client, sql: str) -> dict:
    response = client.post(
        "/api/runs", {"datasource": "shop", "sql": sql}, content_type="application/json"
    )
    assert response.status_code in (201, 400), response.content
    return response.json()


@pytest.fixture
def one_running_query_per_user(worker: WorkerHandle) -> Iterator[None]:
    worker.restart(env={"QUERY_MAX_RUNNING_PER_USER": "1"})
    try:
        yield
    finally:
        worker.restart()


def test_a_users_slow_queries_leave_a_slot_for_another_user(
    one_running_query_per_user: None, duck_source, analyst_api: Client, admin: User
) -> None:
    hogs = [post_run(analyst_api, SLOW_SQL.format(n)) for n in range(2, 8)]
    try:
        victim_api = bearer_client(admin)
        victim = wait_for_run(victim_api, post_run(victim_api, "SELECT 'victim' AS v")["id"], 60)

        assert victim["status"] == "succeeded"
        rows = victim_api.get(f"/api/runs/{victim['id']}/result").json()["rows"]
        assert rows == [["victim"]]
        statuses = [analyst_api.get(f"/api/runs/{hog['id']}").json()["status"] for hog in hogs]
        assert statuses.count("running") == 1 and statuses.count("queued") == 5
    finally:
        for hog in hogs:
            analyst_api.post(f"/api/runs/{hog['id']}/cancel")
        wait_until_ended(analyst_api, [hog["id"] for hog in hogs])


def wait_until_ended(client: Client, run_ids: list[str]) -> None:
    deadline = time.monotonic() + 60
    for run_id in run_ids:
        wait_for_run(client, run_id, max(1.0, deadline - time.monotonic()))


def test_a_user_with_too_many_queries_waiting_is_refused(
    duck_source, analyst_api: Client, settings
) -> None:
    settings.QUERY_MAX_QUEUED_PER_USER = 0

    refused = post_run(analyst_api, "SELECT 1 AS one")

    assert refused["status"] == "failed"
    assert refused["error"]["sqlstate"] == "53400"
    assert "0 queries waiting to run" in refused["error"]["message"]
    assert refused["error"]["retryable"] is True
