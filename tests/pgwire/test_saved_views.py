"""Saved queries as views of a `saved` schema over the wire: listed by the catalog like
tables, read through governance with their parameter defaults, visible only to users who
may see the saved query."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest
from django.contrib.auth.models import User

from dashboards.audit.batches import wire_audit
from dashboards.library.workspace import trash_query
from dashboards.models import AuditEvent, DataSource, SavedQuery
from tests.pgwire.test_django_backend import PASSWORD, Served, _fast_hash, served

__all__ = ["served"]  # the fixture, used by name


@pytest.fixture
def saved(served: Served) -> Served:
    """Two saved queries on `shop` (one with a parameter default), one in another source
    the analyst may not use, one in the trash."""
    shop = DataSource.objects.get(name="shop")
    analyst = User.objects.get(username="wire_analyst")
    SavedQuery.objects.create(
        name="Monthly revenue",
        sql="SELECT region, sum(amount) AS revenue FROM sales GROUP BY region",
        datasource=shop,
        owner=analyst,
    )
    SavedQuery.objects.create(
        name="Big sales",
        sql="SELECT id, amount FROM sales WHERE amount > {{ min_amount }}",
        parameters=[{"name": "min_amount", "type": "number", "default": 140}],
        datasource=shop,
        owner=analyst,
    )
    trashed = SavedQuery.objects.create(
        name="Old one", sql="SELECT 1 AS x", datasource=shop, owner=analyst
    )
    trash_query(analyst, trashed)
    return served


def test_catalog_lists_saved_queries_as_views(saved: Served) -> None:
    with psycopg.connect(saved.dsn(), autocommit=True) as connection:
        views = connection.execute(
            "SELECT table_name, table_type FROM information_schema.tables"
            " WHERE table_schema = 'saved' ORDER BY 1"
        ).fetchall()
        columns = connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'saved' AND table_name = 'monthly_revenue'"
            " ORDER BY ordinal_position"
        ).fetchall()
        relkind = connection.execute(
            "SELECT c.relkind FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'saved' AND c.relname = 'big_sales'"
        ).fetchone()
    assert views == [("big_sales", "VIEW"), ("monthly_revenue", "VIEW")]
    assert columns == [("region", "text"), ("revenue", "numeric")]
    assert relkind == ("v",)


def test_selecting_a_saved_view_runs_the_saved_sql_with_defaults(saved: Served) -> None:
    with psycopg.connect(saved.dsn(), autocommit=True) as connection:
        revenue = connection.execute(
            'SELECT * FROM saved.monthly_revenue ORDER BY "region"'
        ).fetchall()
        big = connection.execute(
            "SELECT b.id FROM shop.saved.big_sales AS b WHERE b.id > %s ORDER BY 1", (97,)
        ).fetchall()
        joined = connection.execute(
            "SELECT count(*) FROM saved.big_sales b JOIN sales s ON s.id = b.id"
        ).fetchone()
    assert revenue[0] == ("region_0", Decimal("1950.0"))
    assert len(revenue) == 4
    assert big == [(98,), (99,), (100,)]  # amount = 1.5 * id > 140 from id 94 on
    assert joined == (7,)
    wire_audit.flush()
    audited = AuditEvent.objects.filter(origin="wire", outcome="allowed", sql__contains="sales")
    assert audited.filter(sql__contains="140").exists()  # the default, bound into the SQL


def test_unknown_trashed_and_foreign_saved_views_do_not_exist(saved: Served) -> None:
    outsider = User.objects.create(username="wire_outsider", password=_fast_hash(PASSWORD))
    other = DataSource.objects.create(name="other", engine="duckdb", path=":memory:")
    SavedQuery.objects.create(
        name="Secret", sql="SELECT 42 AS answer", datasource=other, owner=outsider
    )
    with psycopg.connect(saved.dsn(), autocommit=True) as connection:
        for name in ("nothing_here", "old_one", "secret"):
            with pytest.raises(psycopg.errors.UndefinedTable):
                connection.execute(f"SELECT * FROM saved.{name}")
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_a_saved_view_cannot_smuggle_a_write_past_governance(saved: Served) -> None:
    shop = DataSource.objects.get(name="shop")
    analyst = User.objects.get(username="wire_analyst")
    SavedQuery.objects.create(name="Wipe", sql="DELETE FROM sales", datasource=shop, owner=analyst)
    with psycopg.connect(saved.dsn(), autocommit=True) as connection:
        listed = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'saved'"
        ).fetchall()
        assert ("wipe",) not in listed
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("SELECT * FROM saved.wipe")
        assert connection.execute("SELECT count(*) FROM sales").fetchone() == (100,)


def test_a_parameter_without_default_hides_the_view_and_says_why(saved: Served) -> None:
    shop = DataSource.objects.get(name="shop")
    analyst = User.objects.get(username="wire_analyst")
    SavedQuery.objects.create(
        name="By region",
        sql="SELECT id FROM sales WHERE region = {{ region }}",
        parameters=[{"name": "region", "type": "text"}],
        datasource=shop,
        owner=analyst,
    )
    with psycopg.connect(saved.dsn(), autocommit=True) as connection:
        listed = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'saved'"
        ).fetchall()
        assert ("by_region",) not in listed
        with pytest.raises(psycopg.errors.InvalidParameterValue) as raised:
            connection.execute("SELECT * FROM saved.by_region")
        assert "region" in str(raised.value)
