"""Dashboards' datasets as views over the wire: each dashboard a viewer may open is a schema
of the data source, holding one view per saved query its widgets draw, with the dashboard's
filters at their defaults; read through governance, gone when the dashboard is unshared."""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal

import psycopg
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from sqlalchemy import create_engine, inspect

from dashboards.audit.batches import wire_audit
from dashboards.boards.dashboards import add_widget, create_dashboard
from dashboards.boards.schemas import FilterDefinition
from dashboards.boards.sharing import share_dashboard, unshare_dashboard
from dashboards.boards.visualizations import create_visualization
from dashboards.library.queries import create_saved_query
from dashboards.models import AuditEvent, Dashboard, DataSource, FilterType, SharePermission
from pgwire.django_backend import RECHECK_S
from pgwire.saved_views import MAX_NAME_BYTES, dashboard_schema_names, dataset_view_name
from tests.pgwire.test_django_backend import PASSWORD, Served, _fast_hash, psql_lines, served

__all__ = ["served"]  # the fixture, used by name

SCHEMA = "dashboard_sales_overview"
DATASET_VIEWS = """
    SELECT table_schema, table_name, table_type FROM information_schema.tables
    WHERE table_schema LIKE 'dashboard%' ORDER BY 1, 2
"""


def _make_board(author: User, shop: DataSource, name: str) -> Dashboard:
    """Filter `max_id` (default 40) feeds a bar chart and a table of "Sales by region" (one
    dataset) and a line chart of "Daily sales"; a widget titled "First week" draws "Sales by
    region" with max_id fixed at 7 (another dataset); a text box draws none."""
    by_region = create_saved_query(
        author,
        name="Sales by region",
        sql=(
            "SELECT region, sum(amount) AS total, count(*) AS orders FROM sales"
            " WHERE id <= {{ max_id }} GROUP BY region ORDER BY region"
        ),
        datasource=shop,
        parameters=[{"name": "max_id", "type": "number", "default": 100}],
    )
    daily = create_saved_query(
        author,
        name="Daily sales",
        sql="SELECT id, day, region, amount FROM sales WHERE id <= {{ max_id }} ORDER BY id",
        datasource=shop,
        parameters=[{"name": "max_id", "type": "number", "default": 100}],
    )
    bar = create_visualization(
        author,
        query=by_region,
        name="Sales per region",
        spec={"type": "bar", "encodings": {"x": "region", "y": ["total"]}},
    )
    table = create_visualization(
        author, query=by_region, name="Region table", spec={"type": "table"}
    )
    line = create_visualization(
        author,
        query=daily,
        name="Sales per day",
        spec={"type": "line", "encodings": {"x": "day", "y": ["amount"]}},
    )
    board = create_dashboard(
        author,
        name=name,
        filters=[FilterDefinition(name="max_id", type=FilterType.NUMBER, default=40)],
    )
    add_widget(author, board, text="# Sales")
    for visualization in (bar, table, line):
        add_widget(author, board, visualization=visualization)
    add_widget(
        author,
        board,
        visualization=bar,
        title="First week",
        parameter_bindings={"max_id": {"value": 7}},
    )
    return board


@pytest.fixture
def author(served: Served) -> User:
    return User.objects.create(username="board_author", password=_fast_hash(PASSWORD))


@pytest.fixture
def board(author: User) -> Dashboard:
    """The dashboard "Sales overview", shared with the wire analyst, who owns none of its
    queries."""
    board = _make_board(author, DataSource.objects.get(name="shop"), "Sales overview")
    viewer = User.objects.get(username="wire_analyst")
    share_dashboard(author, board, permission=SharePermission.VIEW, with_user=viewer)
    return board


def test_a_shared_dashboards_datasets_are_views_in_its_schema(
    served: Served, board: Dashboard
) -> None:
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        views = connection.execute(DATASET_VIEWS).fetchall()
        columns = connection.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
            " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            f" WHERE n.nspname = '{SCHEMA}' AND c.relname = 'sales_by_region' AND c.relkind = 'v'"
            " AND a.attnum > 0 ORDER BY a.attnum"
        ).fetchall()
    assert views == [
        (SCHEMA, "daily_sales", "VIEW"),
        (SCHEMA, "first_week", "VIEW"),
        (SCHEMA, "sales_by_region", "VIEW"),
    ]
    assert [name for name, _ in columns] == ["region", "total", "orders"]


@pytest.mark.usefixtures("worker")  # the web app's widget runs on it
def test_a_dataset_returns_the_rows_its_widget_shows(served: Served, board: Dashboard) -> None:
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        wire_rows = connection.execute(
            f"SELECT * FROM {SCHEMA}.sales_by_region ORDER BY region"
        ).fetchall()
        first_week = connection.execute(
            f'SELECT * FROM "{SCHEMA}"."first_week" ORDER BY region'
        ).fetchall()
    assert wire_rows[0] == ("region_0", Decimal("330.0"), 10)  # ids 4, 8 … 40: max_id = 40
    assert sum(orders for _, _, orders in first_week) == 7

    web = Client()
    web.force_login(User.objects.get(username="wire_analyst"))
    bar = board.widgets.get(visualization__name="Sales per region", title="")
    response = web.get(reverse("boards:widget_csv", args=[board.pk, bar.pk]))
    assert response.status_code == 200, response.content
    csv_rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert csv_rows[0] == ["region", "total", "orders"]
    assert sorted([str(value) for value in row] for row in wire_rows) == sorted(csv_rows[1:])


def test_datasets_join_filter_and_aggregate_through_governance(
    served: Served, board: Dashboard
) -> None:
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        joined = connection.execute(
            f"SELECT r.region, r.orders, count(*) FROM {SCHEMA}.sales_by_region r"
            f" JOIN {SCHEMA}.daily_sales d ON d.region = r.region"
            " WHERE r.region <> %s GROUP BY 1, 2 ORDER BY 1",
            ("region_0",),
        ).fetchall()
        total = connection.execute(
            f"SELECT max(d.id), sum(s.amount) FROM shop.{SCHEMA}.daily_sales d"
            " JOIN sales s USING (id)"
        ).fetchone()
        saved = connection.execute("SELECT count(*) FROM saved.daily_sales").fetchone()
    assert joined == [("region_1", 10, 10), ("region_2", 10, 10), ("region_3", 10, 10)]
    assert total == (40, Decimal("1230.0"))  # the filter's default, not the query's 100
    assert saved == (100,)  # the saved query itself keeps its own default
    wire_audit.flush()
    audited = AuditEvent.objects.filter(origin="wire", outcome="allowed", sql__contains="<= 40")
    assert audited.exists()  # the expanded statement is what governance saw


def test_an_unshared_dashboard_has_no_schema_and_its_views_do_not_exist(
    served: Served, board: Dashboard, author: User
) -> None:
    _make_board(author, DataSource.objects.get(name="shop"), "Private plans")
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        schemas = connection.execute(
            "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname LIKE 'dashboard%'"
        ).fetchall()
        assert schemas == [(SCHEMA,)]
        with pytest.raises(psycopg.errors.UndefinedTable):
            connection.execute("SELECT * FROM dashboard_private_plans.sales_by_region")
        unshare_dashboard(author, board.shares.get())
        with pytest.raises(psycopg.errors.UndefinedTable) as raised:
            connection.execute(f"SELECT * FROM {SCHEMA}.sales_by_region")
        assert f'relation "{SCHEMA}.sales_by_region" does not exist' in str(raised.value)
        assert connection.execute("SELECT count(*) FROM sales").fetchone() == (100,)
    time.sleep(RECHECK_S)  # a session's listing may be that old
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        assert connection.execute(DATASET_VIEWS).fetchall() == []


def test_a_group_share_shows_the_schema_and_names_stay_put(served: Served, author: User) -> None:
    shop = DataSource.objects.get(name="shop")
    first = _make_board(author, shop, "Sales overview")
    group = Group.objects.create(name="bi-readers")
    User.objects.get(username="wire_analyst").groups.add(group)
    share_dashboard(author, first, permission=SharePermission.VIEW, with_group=group)
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        before = connection.execute(DATASET_VIEWS).fetchall()
    second = _make_board(author, shop, "Sales Overview!")
    share_dashboard(author, second, permission=SharePermission.VIEW, with_group=group)
    time.sleep(RECHECK_S)
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        after = connection.execute(DATASET_VIEWS).fetchall()
        rows = connection.execute(
            f"SELECT count(*) FROM {SCHEMA}_2.daily_sales, {SCHEMA}.first_week"
        ).fetchone()
    assert {schema for schema, _, _ in before} == {SCHEMA}
    assert {schema for schema, _, _ in after} == {SCHEMA, f"{SCHEMA}_2"}
    assert set(before) <= set(after)
    assert rows == (160,)  # 40 daily rows, each with the 4 regions of the first week


def test_psql_lists_the_views_of_a_dashboard(served: Served, board: Dashboard) -> None:
    lines = psql_lines(served, f"\\dv {SCHEMA}.*", "\\dn")
    assert f"{SCHEMA}|sales_by_region|view|dashwire" in lines
    assert any(line.startswith(f"{SCHEMA}|") for line in lines if line.count("|") == 1)


def test_sqlalchemy_reflects_a_dashboards_views(served: Served, board: Dashboard) -> None:
    engine = create_engine(
        f"postgresql+psycopg://wire_analyst:{PASSWORD}@127.0.0.1:{served.server.port}/shop"
        "?sslmode=disable"
    )
    try:
        inspector = inspect(engine)
        assert SCHEMA in inspector.get_schema_names()
        assert sorted(inspector.get_view_names(schema=SCHEMA)) == [
            "daily_sales",
            "first_week",
            "sales_by_region",
        ]
        assert inspector.get_table_names(schema=SCHEMA) == []
        columns = inspector.get_columns("daily_sales", schema=SCHEMA)
    finally:
        engine.dispose()
    assert [column["name"] for column in columns] == ["id", "day", "region", "amount"]


def test_names_are_legal_identifiers_and_the_first_comer_keeps_its_own() -> None:
    long_title = "Quarterly revenue by region and product line, excluding returns " * 2
    schemas = dashboard_schema_names(
        [(3, "Umsätze 2024"), (5, "Продажи"), (7, "umsätze-2024"), (9, long_title)]
    )
    assert schemas == {
        3: "dashboard_umsatze_2024",
        5: "dashboard_5",
        7: "dashboard_umsatze_2024_2",
        9: "dashboard_quarterly_revenue_by_region_and_product_line_excludin",
    }
    assert all(len(name) <= MAX_NAME_BYTES for name in schemas.values())
    taken: set[str] = set()
    names = [
        dataset_view_name("Sales by region", "Sales per region", taken),
        dataset_view_name("Sales by region", "First week", taken),
        dataset_view_name("Sales by region", "", taken),
        dataset_view_name("2024 targets", "", taken),
    ]
    assert names == ["sales_by_region", "first_week", "sales_by_region_2", "q_2024_targets"]
