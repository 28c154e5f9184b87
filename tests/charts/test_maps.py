"""Map figures: points, choropleths by country/state code, and by a user's GeoJSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.data
import pyarrow as pa
import pytest

Draw = Callable[..., dict[str, Any]]

CITIES = {
    "city": ["Paris", "Lyon", "Berlin", "Nowhere"],
    "country": ["France", "France", "Germany", "France"],
    "iso": ["FRA", "FRA", "DEU", "FRA"],
    "lat": [48.85, 45.76, 52.52, 123.0],
    "lon": [2.35, 4.83, 13.40, 0.0],
    "people": [2.1, 0.5, 3.5, 1.0],
}


def test_map_points(draw: Draw) -> None:
    figure = draw(
        CITIES,
        {
            "type": "map_points",
            "encodings": {"lat": "lat", "lon": "lon", "size": "people", "series": "country"},
            "options": {"scope": "europe", "resolution": 50},
        },
    )
    france, germany = figure["data"]
    assert france["type"] == "scattergeo" and france["mode"] == "markers"
    assert france["name"] == "France" and germany["name"] == "Germany"
    assert france["lat"] == [48.85, 45.76]  # the row with latitude 123 is dropped
    assert france["marker"]["size"] == [2.1, 0.5] and france["marker"]["sizemode"] == "area"
    geo = figure["layout"]["geo"]
    assert geo["scope"] == "europe" and geo["resolution"] == 50
    assert geo["fitbounds"] == "locations"


def test_map_points_coloured_by_value_and_sampled(draw: Draw) -> None:
    table = {
        "lat": [i % 90 for i in range(500)],
        "lon": [i % 180 for i in range(500)],
        "v": [float(i) for i in range(500)],
    }
    figure = draw(
        table,
        {
            "type": "map_points",
            "encodings": {"lat": "lat", "lon": "lon", "value": "v"},
            "options": {"colour_scale": "Plasma"},
        },
        max_points=100,
    )
    (trace,) = figure["data"]
    assert len(trace["lat"]) == 100 and trace["marker"]["colorscale"] == "Plasma"
    assert trace["marker"]["color"] == trace["text"]
    assert figure["layout"]["meta"]["dashwire"]["is_sampled"] is True


@pytest.mark.parametrize(
    ("column", "mode", "locations"),
    [("iso", "ISO-3", ["DEU", "FRA"]), ("country", "country names", ["France", "Germany"])],
)
def test_choropleth_by_country(draw: Draw, column: str, mode: str, locations: list[str]) -> None:
    figure = draw(
        CITIES,
        {
            "type": "choropleth",
            "encodings": {"location": column, "location_mode": mode, "value": "people"},
            "options": {"number_format": ".1f"},
        },
    )
    (trace,) = figure["data"]
    assert trace["type"] == "choropleth" and trace["locationmode"] == mode
    assert trace["locations"] == locations
    france = trace["z"][trace["locations"].index(locations[0 if mode == "country names" else 1])]
    assert france == pytest.approx(2.1 + 0.5 + 1.0)
    assert trace["colorbar"]["tickformat"] == ".1f"


def test_choropleth_by_us_state_uses_the_usa_map(draw: Draw) -> None:
    figure = draw(
        {"state": ["CA", "TX", "CA"]},
        {
            "type": "choropleth",
            "encodings": {"location": "state", "location_mode": "USA-states"},
            "aggregation": "count",
        },
    )
    (trace,) = figure["data"]
    assert trace["locations"] == ["CA", "TX"] and trace["z"] == [2, 1]
    assert figure["layout"]["geo"]["scope"] == "usa"
    assert "fitbounds" not in figure["layout"]["geo"]


def test_choropleth_with_the_election_geojson(draw: Draw) -> None:
    geojson = plotly.data.election_geojson()
    election = pa.Table.from_pandas(plotly.data.election(), preserve_index=False)
    figure = draw(
        election,
        {
            "type": "choropleth",
            "encodings": {
                "location": "district",
                "location_mode": "geojson",
                "feature_id_key": "properties.district",
                "value": "Bergeron",
            },
            "options": {"geojson": geojson, "colour_scale": "Blues"},
        },
    )
    (trace,) = figure["data"]
    assert trace["locationmode"] == "geojson-id"
    assert trace["featureidkey"] == "properties.district"
    assert trace["geojson"]["type"] == "FeatureCollection"
    district_names = {f["properties"]["district"] for f in geojson["features"]}
    # plotly's sample data has one district (112-DeLorimier) that its GeoJSON lacks.
    assert len(set(trace["locations"]) & district_names) == 57 == len(trace["locations"]) - 1
    assert figure["layout"]["geo"]["visible"] is False


def test_choropleth_geojson_by_url(draw: Draw) -> None:
    figure = draw(
        {"d": ["11"], "v": [1.0]},
        {
            "type": "choropleth",
            "encodings": {"location": "d", "location_mode": "geojson", "value": "v"},
            "options": {"geojson": "/static/geo/election.json"},
        },
    )
    assert figure["data"][0]["geojson"] == "/static/geo/election.json"
    assert figure["data"][0]["featureidkey"] == "id"
