"""Fixtures for dashboards: saved queries on the `shop` DuckDB source, visualizations over
them, and a dashboard whose `max_id` filter feeds two widgets' queries."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboards.boards.dashboards import add_widget, create_dashboard
from dashboards.boards.schemas import FilterDefinition, WidgetPosition
from dashboards.boards.visualizations import create_visualization
from dashboards.library.queries import create_saved_query
from dashboards.models import Dashboard, DataSource, FilterType, SavedQuery, Visualization

Events = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def analyst_web(analyst: User) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


def make_sales_query(user: User, datasource: DataSource) -> SavedQuery:
    return create_saved_query(
        user,
        name="Sales by region",
        sql=(
            "SELECT region, sum(amount) AS total, count(*) AS orders FROM sales "
            "WHERE id <= {{ max_id }} GROUP BY region ORDER BY region"
        ),
        datasource=datasource,
        parameters=[{"name": "max_id", "type": "number", "default": 100}],
    )


def make_daily_query(user: User, datasource: DataSource) -> SavedQuery:
    return create_saved_query(
        user,
        name="Daily sales",
        sql="SELECT day, region, amount FROM sales WHERE id <= {{ max_id }} ORDER BY day",
        datasource=datasource,
        parameters=[{"name": "max_id", "type": "number", "default": 100}],
    )


def make_bar_chart(user: User, query: SavedQuery) -> Visualization:
    return create_visualization(
        user,
        query=query,
        name="Sales per region",
        spec={"type": "bar", "encodings": {"x": "region", "y": ["total"]}},
    )


def make_line_chart(user: User, query: SavedQuery) -> Visualization:
    return create_visualization(
        user,
        query=query,
        name="Sales per day",
        spec={"type": "line", "encodings": {"x": "day", "y": ["amount"], "series": "region"}},
    )


def make_board(user: User, bar_chart: Visualization, line_chart: Visualization) -> Dashboard:
    """Two charts bound to the number filter `max_id` (default 100), and a text box."""
    dashboard = create_dashboard(
        user,
        name="Sales",
        filters=[
            FilterDefinition(name="max_id", type=FilterType.NUMBER, label="Up to id", default=100)
        ],
    )
    add_widget(user, dashboard, text="# Sales\nAll **regions**.")
    add_widget(user, dashboard, visualization=bar_chart)
    add_widget(
        user,
        dashboard,
        visualization=line_chart,
        position=WidgetPosition(x=6, y=2, width=6, height=6),
    )
    return dashboard


def make_sales_board(user: User, datasource: DataSource) -> Dashboard:
    bar = make_bar_chart(user, make_sales_query(user, datasource))
    line = make_line_chart(user, make_daily_query(user, datasource))
    return make_board(user, bar, line)


@pytest.fixture
def sales_query(analyst: User, duck_source: DataSource) -> SavedQuery:
    return make_sales_query(analyst, duck_source)


@pytest.fixture
def daily_query(analyst: User, duck_source: DataSource) -> SavedQuery:
    return make_daily_query(analyst, duck_source)


@pytest.fixture
def bar_chart(analyst: User, sales_query: SavedQuery) -> Visualization:
    return make_bar_chart(analyst, sales_query)


@pytest.fixture
def line_chart(analyst: User, daily_query: SavedQuery) -> Visualization:
    return make_line_chart(analyst, daily_query)


@pytest.fixture
def board(analyst: User, bar_chart: Visualization, line_chart: Visualization) -> Dashboard:
    return make_board(analyst, bar_chart, line_chart)


def parse_events(body: bytes) -> Events:
    """The (event, data) pairs of a server-sent event stream; comments are skipped."""
    events: Events = []
    for block in body.decode().split("\n\n"):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


@pytest.fixture
def load_board() -> Callable[..., Events]:
    """GET a dashboard's data stream with `client` and return its events."""

    def load(client: Client, url: str, **params: Any) -> Events:
        query = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "text/event-stream"
        return parse_events(b"".join(response.streaming_content))

    return load


def widgets_of(events: Events) -> dict[int, dict[str, Any]]:
    """The last widget event per widget id."""
    return {data["id"]: data for name, data in events if name == "widget"}
