"""Every REST route: status codes and bodies, bad input included."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.utils import timezone

from dashboards.models import AccessToken, SavedQuery
from tests.conftest import bearer_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]


@pytest.mark.parametrize(
    "path", ["/api/datasources", "/api/queries", "/api/runs/00000000-0000-0000-0000-000000000000"]
)
def test_requests_without_credentials_are_refused(path):
    assert Client().get(path).status_code == 401
    assert Client(headers={"Authorization": "Bearer dw_not-a-token"}).get(path).status_code == 401


def test_a_revoked_token_and_a_deactivated_user_are_refused(analyst, outsider):
    client = bearer_client(analyst)
    AccessToken.objects.filter(user=analyst).update(revoked_at=timezone.now())
    assert client.get("/api/datasources").status_code == 401
    assert bearer_client(outsider).get("/api/datasources").status_code == 401


def test_tokens_are_stored_hashed(analyst):
    from dashboards.identity.tokens import create_token

    token, row = create_token(analyst, name="laptop")
    assert token not in {row.token_hash, row.scram_stored_key, row.scram_server_key}
    assert not AccessToken.objects.filter(token_hash=token).exists()


def test_session_login_works_for_the_api(analyst, duck_source):
    client = Client()
    assert client.login(username="ann_analyst", password="analyst-password-1")
    assert client.get("/api/datasources").json() == [
        {"name": "shop", "engine": "duckdb", "dialect": "duckdb"}
    ]


def test_datasources_and_their_schema(analyst_api, duck_source, delta_source):
    assert [d["name"] for d in analyst_api.get("/api/datasources").json()] == ["lake", "shop"]
    schema = analyst_api.get("/api/datasources/shop/schema").json()
    tables = {t["name"]: t for s in schema["schemas"] for t in s["tables"]}
    assert {"sales", "big", "sales_by_region"} <= tables.keys()
    assert [c["name"] for c in tables["sales"]["columns"]] == ["id", "region", "amount", "day"]
    lake = analyst_api.get("/api/datasources/lake/schema").json()
    assert [t["name"] for s in lake["schemas"] for t in s["tables"]] == ["events"]
    assert analyst_api.get("/api/datasources/nope/schema").status_code == 404


def test_unknown_datasource_and_bad_bodies(analyst_api, duck_source):
    post = lambda body: analyst_api.post("/api/runs", body, content_type="application/json")  # noqa: E731
    assert post({"datasource": "nope", "sql": "SELECT 1"}).status_code == 404
    # a body that does not match its schema: 400 naming the field
    missing = post({"datasource": "shop"})
    assert missing.status_code == 400 and missing.json()["field"] == "sql"
    assert post({"datasource": "shop", "sql": ""}).status_code == 400
    negative = post({"datasource": "shop", "sql": "SELECT 1", "max_age_s": -1})
    assert negative.status_code == 400 and negative.json()["field"] == "max_age_s"
    assert analyst_api.get("/api/runs/not-a-uuid").status_code == 404


def test_result_pages_sort_and_page_on_the_server(analyst_api, run_sql, duck_source):
    run = run_sql("shop", "SELECT id, region FROM sales")
    url = f"/api/runs/{run['id']}/result"

    page = analyst_api.get(url, {"offset": 10, "limit": 5, "order_by": "-id"}).json()
    assert [row[0] for row in page["rows"]] == [90, 89, 88, 87, 86]
    assert page["row_count"] == 100 and page["limit"] == 5
    assert analyst_api.get(url, {"order_by": "nope"}).status_code == 400
    assert analyst_api.get(url, {"limit": 0}).status_code == 400
    assert analyst_api.get(url, {"format": "xml"}).json()["field"] == "format"


def test_downloads_stream_the_whole_result(analyst_api, run_sql, duck_source):
    run = run_sql("shop", "SELECT id, region, amount, day FROM sales ORDER BY id")
    url = f"/api/runs/{run['id']}/result"

    def download(fmt: str) -> bytes:
        response = analyst_api.get(url, {"format": fmt})
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    csv = pa_csv.read_csv(io.BytesIO(download("csv")))
    parquet = pq.read_table(io.BytesIO(download("parquet")))
    arrow = pa.ipc.open_stream(download("arrow")).read_all()
    for table in (csv, parquet, arrow):
        assert table.num_rows == 100 and table.column_names == ["id", "region", "amount", "day"]
        assert table.column("id").to_pylist()[:3] == [1, 2, 3]
    assert str(parquet.schema.field("day").type) == "date32[day]"


def test_a_result_of_a_failed_or_running_run_is_a_conflict(analyst_api, run_sql, duck_source):
    run = run_sql("shop", "SELECT nope FROM sales")
    assert analyst_api.get(f"/api/runs/{run['id']}/result").status_code == 409


def test_saved_queries_can_be_created_read_updated_listed_run_and_deleted(
    analyst_api, duck_source, admin
):
    created = analyst_api.post(
        "/api/queries",
        {
            "name": "Sales by region",
            "sql": "SELECT count(*) AS n FROM sales WHERE region = {{ region }}",
            "datasource": "shop",
            "parameters": [
                {
                    "name": "region",
                    "type": "enum",
                    "options": ["region_0", "region_1"],
                    "default": "region_0",
                }
            ],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    query_id = created.json()["id"]
    assert analyst_api.get(f"/api/queries/{query_id}").json()["name"] == "Sales by region"
    assert [q["id"] for q in analyst_api.get("/api/queries", {"search": "sales"}).json()] == [
        query_id
    ]

    patched = analyst_api.patch(
        f"/api/queries/{query_id}", {"name": "Renamed"}, content_type="application/json"
    )
    assert patched.json()["name"] == "Renamed"

    run = analyst_api.post(
        f"/api/queries/{query_id}/runs", {}, content_type="application/json"
    ).json()
    from tests.conftest import wait_for_run

    done = wait_for_run(analyst_api, run["id"])
    assert done["status"] == "succeeded" and done["query_id"] == query_id
    refused = analyst_api.post(
        f"/api/queries/{query_id}/runs",
        {"parameters": {"region": "region_9"}},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "region" in refused.json()["error"]["message"]

    stranger = bearer_client(
        admin.__class__.objects.create_user("sam", "s@example.com", "sam-password-1")
    )
    assert stranger.delete(f"/api/queries/{query_id}").status_code == 403
    assert analyst_api.delete(f"/api/queries/{query_id}").status_code == 204
    assert not SavedQuery.objects.filter(pk=query_id).exists()
    assert analyst_api.get(f"/api/queries/{query_id}").status_code == 404


def test_saved_query_bad_input(analyst_api, duck_source):
    post = lambda body: analyst_api.post("/api/queries", body, content_type="application/json")  # noqa: E731
    assert post({"name": "x", "sql": "SELECT 1", "datasource": "nope"}).status_code == 400
    assert post({"name": "", "sql": "SELECT 1", "datasource": "shop"}).status_code == 400
    bad_param = {
        "name": "x",
        "sql": "SELECT 1",
        "datasource": "shop",
        "parameters": [{"name": "a b", "type": "text"}],
    }
    assert post(bad_param).json()["field"] == "parameters.0.name"


def test_health_and_readiness():
    assert Client().get("/healthz").json() == {"status": "ok"}
    ready = Client().get("/readyz")
    assert ready.status_code == 200, ready.content
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "worker": "ok"}
