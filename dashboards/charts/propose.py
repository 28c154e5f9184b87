"""A first chart for a fresh result, from its column types alone (like Databricks' display).

The rules, first match wins ("number" is any integer, float or decimal column; "time" a date
or timestamp; "category" a text or boolean column):

1. no rows, or no columns                       → table
2. a numeric latitude and longitude column       → map_points
   (named lat/latitude and lon/lng/long/longitude, any case)
3. one row with a number                         → counter of the first number
4. a time and a number                           → line: x = first time; y = the numbers (up
                                                    to 5), or only the first when a category
                                                    splits the lines into series
5. a category and a number                       → bar: x = first category, y = first number,
                                                    summed; a second category is the series
6. two numbers                                   → scatter of the first against the second
7. anything else                                 → table
"""

from __future__ import annotations

import pyarrow as pa

from dashboards.charts.columns import TEMPORAL_KINDS, ColumnKind, kind_of_arrow
from dashboards.charts.spec import Aggregation, ChartSpec, ChartType, Encodings

LATITUDE_NAMES = frozenset({"lat", "latitude"})
LONGITUDE_NAMES = frozenset({"lon", "lng", "long", "longitude"})
MAX_LINES = 5
_CATEGORY_KINDS = frozenset({ColumnKind.TEXT, ColumnKind.BOOLEAN})


def _named(names: list[str], wanted: frozenset[str]) -> str | None:
    return next((name for name in names if name.casefold() in wanted), None)


def propose_chart(columns: list[tuple[str, pa.DataType]], row_count: int) -> ChartSpec:
    """The chart the rules in this module's docstring pick for a result of this shape."""
    table = ChartSpec(type=ChartType.TABLE)
    if row_count == 0 or not columns:
        return table
    kinds = [(name, kind_of_arrow(data_type)) for name, data_type in columns]
    numbers = [name for name, kind in kinds if kind is ColumnKind.NUMBER]
    times = [name for name, kind in kinds if kind in TEMPORAL_KINDS]
    categories = [name for name, kind in kinds if kind in _CATEGORY_KINDS]
    lat, lon = _named(numbers, LATITUDE_NAMES), _named(numbers, LONGITUDE_NAMES)
    if lat and lon:
        return ChartSpec(type=ChartType.MAP_POINTS, encodings=Encodings(lat=lat, lon=lon))
    if row_count == 1 and numbers:
        return ChartSpec(type=ChartType.COUNTER, encodings=Encodings(value=numbers[0]))
    if times and numbers:
        series = categories[0] if categories else None
        measures = numbers[:1] if series else numbers[:MAX_LINES]
        return ChartSpec(
            type=ChartType.LINE, encodings=Encodings(x=times[0], y=measures, series=series)
        )
    if categories and numbers:
        series = categories[1] if len(categories) > 1 else None
        return ChartSpec(
            type=ChartType.BAR,
            encodings=Encodings(x=categories[0], y=numbers[:1], series=series),
            aggregation=Aggregation.SUM,
        )
    if len(numbers) >= 2:
        return ChartSpec(type=ChartType.SCATTER, encodings=Encodings(x=numbers[0], y=[numbers[1]]))
    return table
