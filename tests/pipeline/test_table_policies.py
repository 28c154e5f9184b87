"""Row filters and column masks set through the REST API hold for every statement a user
runs, keep users with different policies apart in the result cache, and let users with the
same effective policy share it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from dashboards.models import AuditEvent, QueryRun
from tests.conftest import bearer_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]

TABLE = "/api/tables/shop.main.sales"
ROW_FILTER = "region = 'region_1' OR is_member('admins')"
REGION_MASK = "CASE WHEN is_member('admins') THEN region ELSE '***' END"


def put(client: Client, url: str, expression: str) -> Any:
    return client.put(url, {"expression": expression}, content_type="application/json")


@pytest.fixture
def secured_sales(duck_source, admin: User, admin_api: Client) -> None:
    admin.groups.add(Group.objects.create(name="admins"))
    assert put(admin_api, f"{TABLE}/row-filter", ROW_FILTER).status_code == 200
    masked = put(admin_api, f"{TABLE}/column-masks/region", REGION_MASK)
    assert masked.status_code == 200, masked.content
    assert masked.json() == {
        "table": "shop.main.sales",
        "row_filter": ROW_FILTER,
        "masks": {"region": REGION_MASK},
    }


def rows(run_sql, client: Client, sql: str, **extra: Any) -> list[list[Any]]:
    run = run_sql("shop", sql, **extra)
    assert run["status"] == "succeeded", run
    return client.get(f"/api/runs/{run['id']}/result?limit=1000").json()["rows"]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT count(*) FROM sales", [[25]]),
        ("SELECT DISTINCT region FROM sales", [["***"]]),
        ("SELECT count(*) FROM sales WHERE region = 'region_2'", [[0]]),
        ("SELECT count(*) FROM shop.main.sales s JOIN sales t USING (id)", [[25]]),
        ("WITH x AS (SELECT * FROM SALES) SELECT min(id), max(id) FROM x", [[1, 97]]),
        (
            "SELECT count(*) FROM (TABLE sales) UNION ALL SELECT count(*) FROM main.sales",
            [[25], [25]],
        ),
        ("FROM sales SELECT count(DISTINCT region)", [[1]]),
    ],
)
def test_an_analyst_sees_only_filtered_rows_and_masked_values(
    secured_sales, run_sql, analyst_api: Client, sql: str, expected: list[list[Any]]
) -> None:
    assert rows(run_sql, analyst_api, sql) == expected


def test_a_member_of_the_exempt_group_sees_everything(secured_sales, admin_api: Client) -> None:
    run = admin_api.post(
        "/api/runs",
        {"datasource": "shop", "sql": "SELECT count(*), count(DISTINCT region) FROM sales"},
        content_type="application/json",
    ).json()
    from tests.conftest import wait_for_run

    done = wait_for_run(admin_api, run["id"])
    assert admin_api.get(f"/api/runs/{done['id']}/result").json()["rows"] == [[100, 4]]


def test_results_are_shared_only_by_users_with_the_same_effective_policy(
    secured_sales, run_sql, analyst_api: Client, admin_api: Client
) -> None:
    sql = "SELECT count(*) AS n FROM sales"
    first = run_sql("shop", sql, max_age_s=3600)
    colleague = bearer_client(User.objects.create_user("cora_colleague", password="x-pw-12345"))
    shared = colleague.post(
        "/api/runs",
        {"datasource": "shop", "sql": sql, "max_age_s": 3600},
        content_type="application/json",
    ).json()
    admins = admin_api.post(
        "/api/runs",
        {"datasource": "shop", "sql": sql, "max_age_s": 3600},
        content_type="application/json",
    ).json()

    assert shared["cached"] is True
    assert QueryRun.objects.get(pk=shared["id"]).fingerprint == first_fingerprint(first)
    assert admins["cached"] is False
    assert QueryRun.objects.get(pk=admins["id"]).fingerprint != first_fingerprint(first)


def first_fingerprint(run: dict[str, Any]) -> str:
    return QueryRun.objects.get(pk=run["id"]).fingerprint


def test_dropping_the_policy_shows_the_table_whole_again(
    secured_sales, run_sql, analyst_api: Client, admin_api: Client
) -> None:
    assert admin_api.delete(f"{TABLE}/row-filter").status_code == 200
    dropped = admin_api.delete(f"{TABLE}/column-masks/region").json()

    assert dropped == {"table": "shop.main.sales", "row_filter": None, "masks": {}}
    assert rows(run_sql, analyst_api, "SELECT count(DISTINCT region) FROM sales") == [[4]]
    actions = list(
        AuditEvent.objects.filter(action__startswith="table.").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        ["table.row_filter.set", "table.mask.set", "table.row_filter.drop", "table.mask.drop"]
    )


def test_only_administrators_set_policies(duck_source, analyst_api: Client) -> None:
    refused = put(analyst_api, f"{TABLE}/row-filter", "true")

    assert refused.status_code == 403
    assert "only administrators" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("url", "expression", "message"),
    [
        (f"{TABLE}/row-filter", "region = ", "the policy does not apply"),
        (f"{TABLE}/row-filter", "nope = 1", "the policy does not apply"),
        (f"{TABLE}/column-masks/nope", "'x'", "has no column nope"),
        ("/api/tables/shop.main.nothing/row-filter", "true", "has no table main.nothing"),
        ("/api/tables/sales/row-filter", "true", "catalog.schema.table"),
    ],
)
def test_a_policy_that_cannot_apply_is_refused(
    duck_source, admin_api: Client, url: str, expression: str, message: str
) -> None:
    refused = put(admin_api, url, expression)

    assert refused.status_code == 400
    assert message in refused.json()["detail"]
