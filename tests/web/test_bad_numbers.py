"""Numbers no one should send (huge, infinite, not a number) answer 400 naming the field,
never 500; a page far past the end of a result does not damage the result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboards.library.queries import create_saved_query
from dashboards.models import DataSource, QueryRun

pytestmark = pytest.mark.django_db

HUGE_INT = "1" + "0" * 4000  # 10**4000, as JSON text


def post_raw(client: Client, url: str, body: str) -> Any:
    return client.post(url, body, content_type="application/json")


def assert_field(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["detail"], body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offset=1e30", "offset"),
        ("offset=100000000000000000000000000000", "offset"),
        ("offset=-1", "offset"),
        ("limit=1e30", "limit"),
        ("limit=0", "limit"),
        (f"limit={HUGE_INT}", "limit"),
    ],
)
def test_result_pages_refuse_bad_offsets_and_limits(
    analyst_api: Client, finished_run: Callable[[pa.Table], QueryRun], query: str, field: str
) -> None:
    run = finished_run(pa.table({"a": [1, 2, 3]}))
    response = analyst_api.get(f"/api/runs/{run.pk}/result?{query}")
    assert_field(response, field)
    assert response.json()["field"] == field
    again = analyst_api.get(f"/api/runs/{run.pk}/result")
    assert again.status_code == 200 and again.json()["rows"] == [[1], [2], [3]]


def test_a_page_past_the_end_is_empty(
    analyst_api: Client, finished_run: Callable[[pa.Table], QueryRun]
) -> None:
    run = finished_run(pa.table({"a": [1, 2, 3]}))
    page = analyst_api.get(f"/api/runs/{run.pk}/result?offset={2**53 - 1}").json()
    assert page["rows"] == [] and page["row_count"] == 3


@pytest.mark.parametrize("max_age", ["1e308", "Infinity", "-Infinity", "NaN", "1e30", HUGE_INT])
def test_runs_refuse_a_max_age_that_is_no_sane_number(
    analyst_api: Client, duck_source: DataSource, max_age: str
) -> None:
    body = f'{{"datasource": "{duck_source.name}", "sql": "SELECT 1", "max_age_s": {max_age}}}'
    response = post_raw(analyst_api, "/api/runs", body)
    assert_field(response, "max_age_s")
    assert response.json()["field"] == "max_age_s"


def test_saved_query_runs_refuse_an_infinite_max_age(
    analyst: User, analyst_api: Client, duck_source: DataSource
) -> None:
    query = create_saved_query(analyst, name="one", sql="SELECT 1", datasource=duck_source)
    response = post_raw(analyst_api, f"/api/queries/{query.pk}/runs", '{"max_age_s": Infinity}')
    assert_field(response, "max_age_s")


@pytest.mark.parametrize(
    "value", [HUGE_INT, f"-{HUGE_INT}", f'"{HUGE_INT}"', "1e999", "Infinity", "NaN"]
)
def test_a_number_parameter_out_of_range_is_refused_naming_it(
    analyst_api: Client, duck_source: DataSource, value: str
) -> None:
    body = (
        f'{{"datasource": "{duck_source.name}", "sql": "SELECT {{{{ amount }}}} AS a", '
        f'"parameter_specs": [{{"name": "amount", "type": "number"}}], '
        f'"parameters": {{"amount": {value}}}}}'
    )
    response = post_raw(analyst_api, "/api/runs", body)
    assert response.status_code == 400, response.content
    assert "parameter amount" in response.json()["error"]["message"]


def test_an_inferred_huge_parameter_is_refused_naming_it(
    analyst_api: Client, duck_source: DataSource
) -> None:
    body = (
        f'{{"datasource": "{duck_source.name}", "sql": "SELECT {{{{ n }}}} AS a", '
        f'"parameters": {{"n": {HUGE_INT}}}}}'
    )
    response = post_raw(analyst_api, "/api/runs", body)
    assert response.status_code == 400, response.content
    assert "parameter n" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"name": "x", "refresh_interval_s": 1e30}', "refresh_interval_s"),
        ('{"name": "x", "max_age_s": Infinity}', "max_age_s"),
        (f'{{"name": "x", "max_age_s": {HUGE_INT}}}', "max_age_s"),
    ],
)
def test_dashboards_refuse_huge_intervals(analyst_api: Client, body: str, field: str) -> None:
    assert_field(post_raw(analyst_api, "/api/dashboards", body), field)


def test_widget_sizes_and_embed_lifetimes_are_bounded(analyst_api: Client) -> None:
    dashboard = post_raw(analyst_api, "/api/dashboards", '{"name": "x"}').json()
    widget = post_raw(
        analyst_api, f"/api/dashboards/{dashboard['id']}/widgets", '{"text": "hello"}'
    )
    assert widget.status_code == 201, widget.content
    resized = analyst_api.patch(
        f"/api/dashboards/{dashboard['id']}/widgets/{widget.json()['id']}",
        '{"position": {"x": 0, "y": 0, "width": 1e30, "height": 4}}',
        content_type="application/json",
    )
    assert_field(resized, "width")
    embed = post_raw(
        analyst_api, f"/api/dashboards/{dashboard['id']}/share/embeds", f'{{"ttl_s": {HUGE_INT}}}'
    )
    assert_field(embed, "ttl_s")
    huge_id = analyst_api.get(f"/api/dashboards/{HUGE_INT[:30]}")
    assert huge_id.status_code in (400, 404)
