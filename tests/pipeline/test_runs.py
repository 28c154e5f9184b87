"""Runs through the REST API, executed by a real Celery worker on real engines."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pytest
from deltalake import write_deltalake
from django.test import Client

from dashboards.catalog.datasources import bump_data_version
from dashboards.models import AuditEvent, DataSource, Execution, QueryRun
from tests.conftest import wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]

SLOW_SQL = "SELECT count(*) AS n FROM range(1000000000) a, range(1000) b"
WORKER_SLOTS = 2  # the session worker's --concurrency


def wait_for_status(client: Client, run_id: str, status: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while (body := client.get(f"/api/runs/{run_id}").json())["status"] != status:
        assert time.monotonic() < deadline, f"run {run_id} is not {status}: {body}"
        time.sleep(0.05)


@contextmanager
def worker_kept_busy(client: Client) -> Iterator[None]:
    """Fill every slot of the worker with a query that never ends on its own, so work
    submitted meanwhile stays queued (in flight) until the block is left."""
    blockers = [
        post_run(client, "shop", f"{SLOW_SQL} WHERE a.range % {slot + 2} = 1")["id"]
        for slot in range(WORKER_SLOTS)
    ]
    try:
        for run_id in blockers:
            wait_for_status(client, run_id, "running")
        yield
    finally:
        for run_id in blockers:
            client.post(f"/api/runs/{run_id}/cancel")
        # the engine must have stopped before the test's rows are flushed, or the worker's
        # watcher never sees the cancel and the slot stays taken for the next test
        deadline = time.monotonic() + 60
        while Execution.objects.filter(runs__id__in=blockers, status="running").exists():
            assert time.monotonic() < deadline, "a blocking query did not stop"
            time.sleep(0.05)


def post_run(client: Client, datasource: str, sql: str, **extra: Any) -> dict[str, Any]:
    response = client.post(
        "/api/runs",
        {"datasource": datasource, "sql": sql, **extra},
        content_type="application/json",
    )
    assert response.status_code in (201, 400), response.content
    return response.json()


def test_a_select_runs_on_the_worker_and_its_rows_come_back(duck_source, run_sql, analyst_api):
    run = run_sql(
        "shop",
        "SELECT region, count(*) AS n, sum(amount) AS total FROM sales "
        "GROUP BY region ORDER BY region",
    )

    assert run["status"] == "succeeded" and run["cached"] is False
    assert run["row_count"] == 4
    assert [c["name"] for c in run["columns"]] == ["region", "n", "total"]
    page = analyst_api.get(f"/api/runs/{run['id']}/result").json()
    assert page["rows"][0] == ["region_0", 25, pytest.approx(1.5 * sum(range(4, 101, 4)))]
    assert page["row_count"] == 4 and page["offset"] == 0


def test_a_repeated_query_within_max_age_comes_from_the_cache_without_the_engine(
    duck_source, run_sql
):
    first = run_sql("shop", "SELECT count(*) AS n FROM sales", max_age_s=300)
    second = run_sql("shop", "select   COUNT(*) as n\nFROM Sales  -- same query\n", max_age_s=300)

    assert first["cached"] is False and second["cached"] is True
    assert second["status"] == "succeeded" and second["row_count"] == 1
    assert Execution.objects.count() == 1


def test_max_age_zero_always_runs_again(duck_source, run_sql):
    run_sql("shop", "SELECT 1 AS one", max_age_s=300)
    again = run_sql("shop", "SELECT 1 AS one", max_age_s=0)
    assert again["cached"] is False and Execution.objects.count() == 2


def test_a_new_data_version_invalidates_the_cache(duck_source, run_sql):
    run_sql("shop", "SELECT count(*) AS n FROM sales", max_age_s=300)
    bump_data_version(duck_source)
    assert run_sql("shop", "SELECT count(*) AS n FROM sales", max_age_s=300)["cached"] is False


def test_a_new_delta_version_invalidates_the_cache_and_shows_the_new_rows(
    delta_source, run_sql, analyst_api
):
    before = run_sql("lake", "SELECT count(*) AS n FROM events", max_age_s=300)
    write_deltalake(
        f"{delta_source.path}/events", pa.table({"id": [50], "kind": ["v"]}), mode="append"
    )
    after = run_sql("lake", "SELECT count(*) AS n FROM events", max_age_s=300)

    assert after["cached"] is False
    rows = lambda run: analyst_api.get(f"/api/runs/{run['id']}/result").json()["rows"]  # noqa: E731
    assert rows(before) == [[4]] and rows(after) == [[5]]


def test_delta_time_travel_and_history(delta_source, run_sql, analyst_api):
    old = run_sql("lake", "SELECT id FROM events VERSION AS OF 1 ORDER BY id")
    history = run_sql("lake", "DESCRIBE HISTORY events")

    assert analyst_api.get(f"/api/runs/{old['id']}/result").json()["rows"] == [[1], [2], [3]]
    assert history["status"] == "succeeded" and history["row_count"] == 3


def test_identical_work_in_flight_runs_once(duck_source, analyst_api):
    sql = "SELECT count(*) AS n FROM range(3000) t(i) WHERE i % 7 = 3"
    with worker_kept_busy(analyst_api):
        first = post_run(analyst_api, "shop", sql)
        second = post_run(analyst_api, "shop", sql)
        assert [first["status"], second["status"]] == ["queued", "queued"]

    done = [wait_for_run(analyst_api, run["id"], timeout_s=60) for run in (first, second)]
    assert [run["status"] for run in done] == ["succeeded", "succeeded"]
    assert [analyst_api.get(f"/api/runs/{run['id']}/result").json()["rows"] for run in done] == [
        [[429]],
        [[429]],
    ]
    assert Execution.objects.filter(user_sql=sql).count() == 1


def test_cancel_stops_the_engine(duck_source, analyst_api):
    run = post_run(analyst_api, "shop", SLOW_SQL)
    execution = QueryRun.objects.get(pk=run["id"]).execution
    wait_for_status(analyst_api, run["id"], "running")
    body = analyst_api.post(f"/api/runs/{run['id']}/cancel").json()

    assert body["status"] == "cancelled"
    # SLOW_SQL counts 10^12 rows: left alone it would run for hours, not this minute
    deadline = time.monotonic() + 60
    while Execution.objects.get(pk=execution.pk).status == "running":
        assert time.monotonic() < deadline, "the engine did not stop"
        time.sleep(0.05)
    assert Execution.objects.get(pk=execution.pk).status == "cancelled"


def test_a_query_over_the_timeout_fails_saying_so(duck_source, run_sql):
    DataSource.objects.filter(pk=duck_source.pk).update(timeout_s=1.0)
    run = run_sql("shop", SLOW_SQL)

    assert run["status"] == "failed"
    assert "timeout" in run["error"]["message"] and run["error"]["sqlstate"] == "57014"


def test_a_result_over_max_rows_fails_naming_the_limit(duck_source, run_sql):
    DataSource.objects.filter(pk=duck_source.pk).update(max_rows=1000)
    run = run_sql("shop", "SELECT * FROM big")
    assert run["status"] == "failed" and "max_rows" in run["error"]["message"]
    assert run_sql("shop", "SELECT * FROM big LIMIT 1000")["status"] == "succeeded"


def test_a_result_over_max_bytes_fails_naming_the_limit(duck_source, run_sql):
    DataSource.objects.filter(pk=duck_source.pk).update(max_bytes=10_000)
    run = run_sql("shop", "SELECT * FROM big")
    assert run["status"] == "failed" and "max_bytes" in run["error"]["message"]


def test_a_syntax_error_is_refused_with_its_position(duck_source, analyst_api):
    response = analyst_api.post(
        "/api/runs",
        {"datasource": "shop", "sql": "SELECT region FROM sales WHER amount > 1"},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 400 and body["status"] == "failed"
    assert body["error"]["position"] is not None and body["error"]["sqlstate"] == "42601"
    assert QueryRun.objects.get(pk=body["id"]).status == "failed"


def test_an_engine_error_carries_the_engines_message_and_position(duck_source, run_sql):
    sql = "SELECT region, no_such_column FROM sales"
    run = run_sql("shop", sql)
    assert run["status"] == "failed"
    assert "no_such_column" in run["error"]["message"]
    assert run["error"]["position"] == sql.index("no_such_column") + 1


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO sales VALUES (1, 'x', 1, DATE '2024-01-01')",
        "DELETE FROM sales",
        "CREATE TABLE t AS SELECT 1",
        "DROP TABLE sales",
        "ATTACH '/tmp/other.duckdb' AS other",
        "COPY sales TO '/tmp/out.csv'",
        "SET threads = 8",
        "PRAGMA database_list",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SELECT 1; DROP TABLE sales",
        "SELECT * FROM read_csv('/etc/passwd')",
    ],
)
def test_statements_that_are_not_reads_are_refused(duck_source, analyst_api, sql):
    response = analyst_api.post(
        "/api/runs", {"datasource": "shop", "sql": sql}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert AuditEvent.objects.filter(outcome="refused", sql=sql).exists()


def test_parameters_are_bound_as_values_never_as_sql(duck_source, run_sql, analyst_api):
    sql = "SELECT count(*) AS n FROM sales WHERE region = {{ region }} AND amount > {{ minimum }}"
    run = run_sql("shop", sql, parameters={"region": "region_1", "minimum": 100})
    assert analyst_api.get(f"/api/runs/{run['id']}/result").json()["rows"] == [[8]]

    hostile = run_sql("shop", sql, parameters={"region": "x' OR '1'='1", "minimum": 0})
    assert analyst_api.get(f"/api/runs/{hostile['id']}/result").json()["rows"] == [[0]]


def test_a_missing_parameter_is_a_clear_error(duck_source, run_sql):
    run = run_sql("shop", "SELECT * FROM sales WHERE region = {{ region }}")
    assert run["status"] == "failed" and "region" in run["error"]["message"]


def test_runs_of_other_users_are_not_visible(duck_source, run_sql, admin):
    from tests.conftest import bearer_client

    run = run_sql("shop", "SELECT 1 AS one")
    other = bearer_client(
        admin.__class__.objects.create_user("bob", "b@example.com", "bob-password-1")
    )
    assert other.get(f"/api/runs/{run['id']}").status_code == 404
    assert bearer_client(admin).get(f"/api/runs/{run['id']}").status_code == 200


def test_concurrent_submissions_from_threads_share_one_execution(duck_source, analyst):
    from tests.conftest import bearer_client

    sql = "SELECT sum(i) AS s FROM range(2000) t(i)"
    bodies: list[dict[str, Any]] = []

    def submit() -> None:
        from django.db import connection

        bodies.append(post_run(bearer_client(analyst), "shop", sql))
        connection.close()

    client = bearer_client(analyst)
    threads = [threading.Thread(target=submit) for _ in range(4)]
    with worker_kept_busy(client):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert {wait_for_run(client, body["id"], timeout_s=60)["status"] for body in bodies} == {
        "succeeded"
    }
    results = [client.get(f"/api/runs/{body['id']}/result").json()["rows"] for body in bodies]
    assert results == [[[1999000]]] * 4
    assert Execution.objects.filter(user_sql=sql).count() == 1


def test_date_range_and_multi_value_parameters(duck_source, run_sql, analyst_api):
    sql = (
        "SELECT count(*) AS n FROM sales WHERE day BETWEEN {{ period.start }} AND {{ period.end }} "
        "AND region IN ({{ regions }})"
    )
    run = run_sql(
        "shop",
        sql,
        parameters={
            "period": {"start": "2024-01-02", "end": "2024-01-11"},
            "regions": ["region_1", "region_2"],
        },
    )
    assert run["status"] == "succeeded", run
    # days 2024-01-02 .. 2024-01-11 are ids 1..10; regions 1 and 2 are ids 1,2,5,6,9,10
    assert analyst_api.get(f"/api/runs/{run['id']}/result").json()["rows"] == [[6]]


def test_a_bad_parameter_value_is_refused_naming_it(duck_source, run_sql):
    run = run_sql(
        "shop",
        "SELECT * FROM sales WHERE day > {{ since }}",
        parameters={"since": {"start": "2024-01-01"}},
    )
    assert run["status"] == "failed" and "since" in run["error"]["message"]


def test_cancelling_one_of_two_joined_runs_leaves_the_other_running(duck_source, analyst_api):
    sql = "SELECT count(*) AS n FROM range(1000) t(i) WHERE i % 11 = 3"
    with worker_kept_busy(analyst_api):
        first = post_run(analyst_api, "shop", sql)
        second = post_run(analyst_api, "shop", sql)
        cancelled = analyst_api.post(f"/api/runs/{first['id']}/cancel").json()
        assert cancelled["status"] == "cancelled"

    assert wait_for_run(analyst_api, second["id"], timeout_s=60)["status"] == "succeeded"
    assert analyst_api.get(f"/api/runs/{second['id']}/result").json()["rows"] == [[91]]
    assert analyst_api.get(f"/api/runs/{first['id']}").json()["status"] == "cancelled"
    assert Execution.objects.get(user_sql=sql).status == "succeeded"
