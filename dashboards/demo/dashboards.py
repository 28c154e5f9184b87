"""Two real dashboards over the demo data, so a newcomer sees the product working at once:
world development (gapminder: a map, bubbles, bars, counters, a year filter) and stocks
(lines, counters, a ticker filter). Idempotent: a dashboard that exists (by its fixed uid)
is left as it is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from dashboards.boards.dashboards import add_widget, create_dashboard
from dashboards.boards.schemas import FilterDefinition, WidgetPosition
from dashboards.boards.visualizations import create_visualization
from dashboards.library.queries import create_saved_query
from dashboards.models import Dashboard, DataSource, FilterType

WORLD_UID = uuid.UUID("0d6a3c1e-6a57-4b8e-9a43-1f1a9e0c0001")
STOCKS_UID = uuid.UUID("0d6a3c1e-6a57-4b8e-9a43-1f1a9e0c0002")
YEARS: list[str | int | float] = [str(year) for year in range(1952, 2008, 5)]
TICKERS: list[str | int | float] = ["goog", "aapl", "amzn", "fb", "nflx", "msft"]


@dataclass(frozen=True)
class Chart:
    name: str
    query: str  # a key of the board's queries
    spec: dict[str, Any]
    position: tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    parameters: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Board:
    uid: uuid.UUID
    name: str
    description: str
    intro: str
    filters: list[FilterDefinition]
    queries: dict[str, Query]
    charts: list[Chart]


_YEAR = [{"name": "year", "type": "number", "default": 2007}]

WORLD = Board(
    uid=WORLD_UID,
    name="World development",
    description="Life expectancy, income and population of 142 countries, 1952-2007 (gapminder).",
    intro=(
        "## World development\n"
        "Pick a **year** above; click a continent's bar to see only its countries on the "
        "map and in the bubbles."
    ),
    filters=[
        FilterDefinition(
            name="year", type=FilterType.ENUM, label="Year", options=YEARS, default="2007"
        )
    ],
    queries={
        "countries": Query(
            "Countries in a year",
            "SELECT country, continent, iso_alpha, life_exp, pop, gdp_percap\n"
            "FROM gapminder WHERE year = {{ year }}",
            _YEAR,
        ),
        "world": Query(
            "World totals in a year",
            "SELECT sum(pop) AS population, sum(life_exp * pop) / sum(pop) AS life_expectancy,\n"
            "       sum(gdp_percap * pop) / sum(pop) AS gdp_per_capita\n"
            "FROM gapminder WHERE year = {{ year }}",
            _YEAR,
        ),
        "history": Query(
            "Life expectancy by continent over time",
            "SELECT make_date(year, 1, 1) AS year, continent,\n"
            "       sum(life_exp * pop) / sum(pop) AS life_expectancy\n"
            "FROM gapminder GROUP BY ALL ORDER BY year, continent",
        ),
    },
    charts=[
        Chart(
            "World population",
            "world",
            {
                "type": "counter",
                "encodings": {"value": "population"},
                "options": {"number_format": ".3s"},
            },
            (0, 2, 3, 4),
        ),
        Chart(
            "Life expectancy (population-weighted)",
            "world",
            {
                "type": "counter",
                "encodings": {"value": "life_expectancy"},
                "options": {"number_format": ".1f"},
            },
            (3, 2, 3, 4),
        ),
        Chart(
            "Population by continent",
            "countries",
            {
                "type": "bar",
                "encodings": {"x": "continent", "y": ["pop"]},
                "aggregation": "sum",
                "options": {"number_format": ".3s"},
            },
            (6, 2, 6, 4),
        ),
        Chart(
            "Life expectancy by country",
            "countries",
            {
                "type": "choropleth",
                "encodings": {"location": "iso_alpha", "value": "life_exp"},
                "aggregation": "avg",
                "options": {"colour_scale": "Viridis"},
            },
            (0, 6, 7, 8),
        ),
        Chart(
            "Income and life expectancy",
            "countries",
            {
                "type": "bubble",
                "encodings": {
                    "x": "gdp_percap",
                    "y": ["life_exp"],
                    "size": "pop",
                    "series": "continent",
                },
                "options": {
                    "x_axis": {"title": "GDP per capita (log)", "scale": "log"},
                    "y_axis": {"title": "life expectancy"},
                },
            },
            (7, 6, 5, 8),
        ),
        Chart(
            "Life expectancy by continent, 1952-2007",
            "history",
            {
                "type": "line",
                "encodings": {"x": "year", "y": ["life_expectancy"], "series": "continent"},
                "options": {"date_format": "%Y"},
            },
            (0, 14, 12, 6),
        ),
    ],
)

_TICKERS = [
    {"name": "tickers", "type": "enum", "options": TICKERS, "is_multi": True, "default": TICKERS}
]

STOCKS = Board(
    uid=STOCKS_UID,
    name="Stocks",
    description="Six tech stocks, 2018-2019, each normalised to 1 on its first day.",
    intro="## Stocks\nChoose **tickers** above; the counters show the last close and its change.",
    filters=[
        FilterDefinition(
            name="tickers",
            type=FilterType.ENUM,
            label="Tickers",
            options=TICKERS,
            is_multi=True,
            default=TICKERS,
        )
    ],
    queries={
        "prices": Query(
            "Stock prices by ticker",
            "SELECT date, ticker, price\n"
            "FROM (UNPIVOT stocks ON goog, aapl, amzn, fb, nflx, msft\n"
            "      INTO NAME ticker VALUE price)\n"
            "WHERE ticker IN ({{ tickers }})\nORDER BY date, ticker",
            _TICKERS,
        ),
        "closes": Query(
            "Daily closes",
            "SELECT date, goog, aapl, amzn, fb, nflx, msft FROM stocks ORDER BY date",
        ),
    },
    charts=[
        Chart(
            f"{ticker.upper()} last close",
            "closes",
            {
                "type": "counter",
                "encodings": {"value": ticker},
                "options": {"counter_row": -1, "has_delta": True, "number_format": ".3f"},
            },
            (index * 3, 2, 3, 4),
        )
        for index, ticker in enumerate(["goog", "aapl", "amzn", "msft"])
    ]
    + [
        Chart(
            "Prices",
            "prices",
            {
                "type": "line",
                "encodings": {"x": "date", "y": ["price"], "series": "ticker"},
                "options": {"has_trend_line": False, "y_axis": {"title": "price (first day = 1)"}},
            },
            (0, 6, 8, 7),
        ),
        Chart(
            "Average price by ticker",
            "prices",
            {
                "type": "bar",
                "encodings": {"x": "ticker", "y": ["price"]},
                "aggregation": "avg",
                "options": {"number_format": ".2f"},
            },
            (8, 6, 4, 7),
        ),
        Chart(
            "Price spread by ticker",
            "prices",
            {"type": "box", "encodings": {"x": "ticker", "y": ["price"]}},
            (0, 13, 12, 6),
        ),
    ],
)


def _build(board: Board, user: User, datasource: DataSource) -> Dashboard:
    with transaction.atomic():
        dashboard = create_dashboard(
            user,
            name=board.name,
            description=board.description,
            filters=board.filters,
            refresh_interval_s=0,
            max_age_s=24 * 3600,
        )
        Dashboard.objects.filter(pk=dashboard.pk).update(uid=board.uid)
        queries = {
            key: create_saved_query(
                user,
                name=query.name,
                sql=query.sql,
                datasource=datasource,
                parameters=query.parameters,
            )
            for key, query in board.queries.items()
        }
        add_widget(
            user, dashboard, text=board.intro, position=WidgetPosition(x=0, y=0, width=12, height=2)
        )
        for chart in board.charts:
            visualization = create_visualization(
                user, query=queries[chart.query], name=chart.name, spec=chart.spec
            )
            x, y, width, height = chart.position
            add_widget(
                user,
                dashboard,
                visualization=visualization,
                position=WidgetPosition(x=x, y=y, width=width, height=height),
            )
    return dashboard


def load_demo_dashboards(user: User, datasource: DataSource) -> list[str]:
    """Create the demo dashboards that are missing; return lines saying what was done."""
    done = []
    for board in (WORLD, STOCKS):
        if not Dashboard.objects.filter(uid=board.uid).exists():
            _build(board, user, datasource)
            done.append(f"created dashboard {board.name}")
    return done
