"""PostgreSQL as a data source: streamed, read-only, cancellable, through the whole pipeline."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from dashboards.models import DataSource, Execution, QueryRun
from tests.conftest import require_service, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]

DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    try:
        con = psycopg.connect(DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        require_service("PostgreSQL", str(error))
    schema = f"dw_pipeline_{uuid.uuid4().hex[:8]}"
    con.execute(f"CREATE SCHEMA {schema}")
    con.execute(
        f"CREATE TABLE {schema}.orders AS SELECT g AS id, (g % 3)::text AS status, "
        f"(g * 2.5)::numeric(10,2) AS total, now() AS created FROM generate_series(1, 5000) g"
    )
    try:
        yield schema
    finally:
        con.execute(f"DROP SCHEMA {schema} CASCADE")
        con.close()


@pytest.fixture
def pg_source(db: None, pg_schema: str) -> DataSource:
    source = DataSource(name="crm", engine="postgres")
    source.dsn = DSN
    source.save()
    return source


def test_a_postgres_query_streams_through_the_pipeline(pg_source, pg_schema, run_sql, analyst_api):
    run = run_sql(
        "crm",
        f"SELECT status, count(*) AS n, sum(total) AS total FROM {pg_schema}.orders "
        "GROUP BY status ORDER BY status",
    )

    assert run["status"] == "succeeded" and run["row_count"] == 3
    rows = analyst_api.get(f"/api/runs/{run['id']}/result").json()["rows"]
    assert rows[0][:2] == ["0", 1666]


def test_the_dsn_is_encrypted_at_rest(pg_source):
    stored = DataSource.objects.values_list("dsn_encrypted", flat=True).get(pk=pg_source.pk)
    assert "postgres" not in stored and DataSource.objects.get(pk=pg_source.pk).dsn == DSN


def test_writes_are_refused_even_when_smuggled_past_the_parser(pg_source, pg_schema, run_sql):
    run = run_sql("crm", f"SELECT * FROM {pg_schema}.orders FOR UPDATE")
    assert run["status"] == "failed"
    assert run["error"]["sqlstate"] in {"25006", "42501"}


def test_a_postgres_error_keeps_its_sqlstate_and_position(pg_source, pg_schema, run_sql):
    sql = f"SELECT missing_column FROM {pg_schema}.orders"
    run = run_sql("crm", sql)
    assert run["status"] == "failed" and run["error"]["sqlstate"] == "42703"
    assert run["error"]["position"] == sql.index("missing_column") + 1


def sleeping_readers_of(table: str) -> int:
    """How many sessions hold a lock on `table` while inside pg_sleep, as PostgreSQL says."""
    with psycopg.connect(DSN, autocommit=True) as observer:
        row = observer.execute(
            "SELECT count(DISTINCT a.pid) FROM pg_locks AS l "
            "JOIN pg_stat_activity AS a ON a.pid = l.pid "
            "WHERE l.relation = %s::regclass AND a.wait_event = 'PgSleep'",
            (table,),
        ).fetchone()
    return int(row[0]) if row else 0


def test_cancel_reaches_postgres(pg_source, pg_schema, analyst_api):
    table = f"{pg_schema}.orders"  # this test's own schema: no other session reads it
    response = analyst_api.post(
        "/api/runs",
        {"datasource": "crm", "sql": f"SELECT pg_sleep(100) AS slept FROM {table} LIMIT 1"},
        content_type="application/json",
    )
    run_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while sleeping_readers_of(table) == 0:  # PostgreSQL itself says the query is running
        assert time.monotonic() < deadline, "the query never reached PostgreSQL"
        time.sleep(0.05)

    analyst_api.post(f"/api/runs/{run_id}/cancel")

    deadline = time.monotonic() + 60  # well before pg_sleep(100) would end by itself
    while sleeping_readers_of(table) > 0:
        assert time.monotonic() < deadline, "pg_sleep was not cancelled"
        time.sleep(0.05)
    assert wait_for_run(analyst_api, run_id)["status"] == "cancelled"
    execution_id = QueryRun.objects.get(pk=run_id).execution_id
    while Execution.objects.get(pk=execution_id).status == "running":
        assert time.monotonic() < deadline, "the worker did not record the cancel"
        time.sleep(0.05)
    assert Execution.objects.get(pk=execution_id).status == "cancelled"
