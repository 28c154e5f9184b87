"""Row filters and column masks hold on the wire endpoint as in the web app: psql and
psycopg (simple and extended protocol, text and binary, COPY) see only what the policy
allows."""

from __future__ import annotations

import psycopg
import pytest

from dashboards.models import DataSource, SecuredTable
from tests.pgwire.test_django_backend import Served, psql_lines, served

__all__ = ["served"]  # the fixture, used by name

ROW_FILTER = "region = 'region_1'"
REGION_MASK = "'***'"


@pytest.fixture
def secured(served: Served) -> Served:
    shop = DataSource.objects.get(name="shop")
    SecuredTable.objects.create(
        datasource=shop,
        schema="main",
        name="sales",
        columns=["id", "region", "amount", "day"],
        row_filter=ROW_FILTER,
        masks={"region": REGION_MASK},
    )
    DataSource.objects.filter(pk=shop.pk).update(policy_version=1)
    return served


def test_psql_sees_filtered_rows_and_masked_values(secured: Served) -> None:
    lines = psql_lines(secured, "SELECT region, count(*) FROM sales GROUP BY 1 ORDER BY 1")

    assert lines == ["***|25"]


def test_psycopg_text_binary_and_copy_see_only_the_policy(secured: Served) -> None:
    sql = "SELECT id, region FROM sales WHERE id = %s"
    with psycopg.connect(secured.dsn(), autocommit=True) as connection:
        assert connection.execute(sql, (5,)).fetchall() == [(5, "***")]
        assert connection.cursor(binary=True).execute(sql, (6,)).fetchall() == []
        assert connection.execute("SELECT count(*) FROM public.sales").fetchone() == (25,)
        copied = bytearray()
        with connection.cursor().copy("COPY sales (region) TO STDOUT") as copy:
            for chunk in copy:
                copied += chunk
        assert set(bytes(copied).decode().splitlines()) == {"***"}
        assert len(bytes(copied).decode().splitlines()) == 25
