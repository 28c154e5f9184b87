"""A worker that dies mid-query: the run is marked failed, can be retried, and the
single-flight claim is released."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from dashboards.models import Execution, QueryRun
from dashboards.pipeline.execution import reap_stale_executions
from tests.conftest import WorkerHandle, wait_for_run

pytestmark = pytest.mark.django_db(transaction=True)

SQL = "SELECT count(*) AS n FROM range(1000000000) t(i) WHERE i % 7 = 3"


def test_a_killed_worker_fails_the_run_which_can_then_be_retried(
    worker: WorkerHandle, duck_source, analyst_api, settings
):
    run_id = analyst_api.post(
        "/api/runs", {"datasource": "shop", "sql": SQL}, content_type="application/json"
    ).json()["id"]
    execution_id = QueryRun.objects.get(pk=run_id).execution_id
    deadline = time.monotonic() + 20
    while Execution.objects.get(pk=execution_id).status != "running":
        assert time.monotonic() < deadline
        time.sleep(0.02)

    worker.kill()
    ready = Client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["worker"] == "worker: no worker answered a ping"
    # the periodic reaper fails the execution once no heartbeat came for STALE_EXECUTION_S
    deadline = time.monotonic() + settings.STALE_EXECUTION_S + 60
    while (reaped := reap_stale_executions()) == 0:
        assert time.monotonic() < deadline, "the lost execution was never reaped"
        time.sleep(0.2)
    assert reaped == 1

    failed = analyst_api.get(f"/api/runs/{run_id}").json()
    assert failed["status"] == "failed" and "worker lost" in failed["error"]["message"]
    assert failed["error"]["retryable"] is True
    assert Execution.objects.get(pk=execution_id).inflight_key is None

    worker.restart()
    retried = analyst_api.post(f"/api/runs/{run_id}/retry")
    assert retried.status_code == 201
    assert wait_for_run(analyst_api, retried.json()["id"], timeout_s=60)["status"] == "succeeded"
