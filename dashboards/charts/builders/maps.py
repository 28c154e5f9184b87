"""Maps: points by latitude/longitude, and choropleths by country, US state or GeoJSON.

Both draw on plotly's ``geo`` subplot, whose base map comes from topojson files that the
page serves itself (`dashboards.charts.geo`), so no map needs the network when drawn.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from dashboards.charts.jsonable import column
from dashboards.charts.layout import Figure, Trace, base_layout, figure, paint_series
from dashboards.charts.points import NULL_SERIES
from dashboards.charts.source import Source
from dashboards.charts.spec import Aggregation, ChartSpec, GeoScope, LocationMode
from dashboards.charts.sql import aggregate, quote_ident

_MARKER_MAX_PX = 30
# plotly.js cannot fit the view to the data on the Albers USA projection.
_FIXED_SCOPES = frozenset({GeoScope.USA})


def _geo_layout(spec: ChartSpec, scope: GeoScope, **overrides: Any) -> dict[str, Any]:
    geo: dict[str, Any] = {
        "scope": str(scope),
        "resolution": int(spec.options.resolution),
        "showland": True,
        "landcolor": "#f2f2f2",
        "showcountries": True,
        "countrycolor": "#cccccc",
        "showframe": False,
    }
    if scope not in _FIXED_SCOPES:
        geo["fitbounds"] = "locations"
    geo.update(overrides)
    return geo


def _optional(name: str | None, *, cast: str = "") -> str:
    if name is None:
        return "NULL"
    return f"CAST({quote_ident(name)} AS {cast})" if cast else quote_ident(name)


def build_map_points(spec: ChartSpec, source: Source) -> Figure:
    """Markers at (`encodings.lat`, `encodings.lon`), a trace per series value.

    `encodings.size` sizes markers by area; `encodings.value` colours them on a scale.
    More rows than `source.max_points` are sampled with a fixed seed.
    """
    lat, lon = quote_ident(spec.encodings.lat or ""), quote_ident(spec.encodings.lon or "")
    series = (
        f"coalesce(CAST({quote_ident(spec.encodings.series)} AS VARCHAR), '{NULL_SERIES}')"
        if spec.encodings.series
        else "NULL"
    )
    where = f"WHERE {lat} BETWEEN -90 AND 90 AND {lon} BETWEEN -180 AND 180"
    (total,) = source.one(f"SELECT count(*) FROM {source.relation} {where}")
    sample = (
        f" USING SAMPLE reservoir({int(source.max_points)} ROWS) REPEATABLE (7)"
        if total > source.max_points
        else ""
    )
    rows = source.rows(
        f"SELECT {series} AS s, {lat}, {lon}, {_optional(spec.encodings.size, cast='DOUBLE')}, "
        f"{_optional(spec.encodings.value)} FROM "
        f"(SELECT * FROM {source.relation} {where}){sample} ORDER BY s NULLS FIRST"
    )
    largest = max((abs(row[3]) for row in rows if row[3] is not None), default=1.0) or 1.0
    traces: list[Trace] = []
    for series_value, group in groupby(rows, key=lambda row: row[0]):
        points = list(group)
        marker: dict[str, Any] = {}
        if spec.encodings.size:
            marker.update(
                size=column(p[3] for p in points),
                sizemode="area",
                sizeref=2.0 * largest / _MARKER_MAX_PX**2,
            )
        if spec.encodings.value:
            marker.update(color=column(p[4] for p in points), showscale=True)
            if spec.options.colour_scale:
                marker["colorscale"] = spec.options.colour_scale
        trace: Trace = {
            "type": "scattergeo",
            "mode": "markers",
            "name": series_value if series_value is not None else "points",
            "lat": column(p[1] for p in points),
            "lon": column(p[2] for p in points),
            "marker": marker,
        }
        if spec.encodings.value:
            trace["text"] = column(p[4] for p in points)
        traces.append(trace)
    layout = base_layout(spec, source_rows=total, is_sampled=bool(sample))
    layout["geo"] = _geo_layout(spec, spec.options.scope)
    return figure(paint_series(traces, spec), layout)


def build_choropleth(spec: ChartSpec, source: Source) -> Figure:
    """Regions coloured by `encodings.value` aggregated per `encodings.location`.

    Locations are country names, ISO-3 codes or US state codes as plotly.js knows them, or
    ids of features in `options.geojson` (matched on `encodings.feature_id_key`). Raw values
    are summed; with no value column, rows are counted.
    """
    location = quote_ident(spec.encodings.location or "")
    aggregation = Aggregation.SUM if spec.aggregation is Aggregation.NONE else spec.aggregation
    value = aggregate(
        aggregation, _optional(spec.encodings.value) if spec.encodings.value else None
    )
    rows = source.rows(
        f"SELECT {location}, {value} FROM {source.relation} WHERE {location} IS NOT NULL "
        f"GROUP BY {location} ORDER BY {location}"
    )
    trace: Trace = {
        "type": "choropleth",
        "locations": column(row[0] for row in rows),
        "z": column(row[1] for row in rows),
        "colorbar": {"title": {"text": spec.encodings.value or "count"}},
    }
    geo_overrides: dict[str, Any] = {}
    if spec.encodings.location_mode is LocationMode.GEOJSON:
        trace.update(
            locationmode="geojson-id",
            geojson=spec.options.geojson,
            featureidkey=spec.encodings.feature_id_key,
        )
        geo_overrides = {"visible": False, "fitbounds": "locations"}
    else:
        trace["locationmode"] = str(spec.encodings.location_mode)
    if spec.options.colour_scale:
        trace["colorscale"] = spec.options.colour_scale
    if spec.options.number_format:
        trace["colorbar"]["tickformat"] = spec.options.number_format
    layout = base_layout(spec, location_count=len(rows))
    # US state codes only mean something on the USA map.
    scope = (
        GeoScope.USA
        if spec.encodings.location_mode is LocationMode.USA_STATES
        else spec.options.scope
    )
    layout["geo"] = _geo_layout(spec, scope, **geo_overrides)
    return figure([trace], layout)
