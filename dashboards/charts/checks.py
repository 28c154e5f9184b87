"""Does a chart spec suit its chart type, and the result it is drawn from?

Both checks raise `ChartError` naming the spec field at fault, so the editor can point at it:
`check_encodings` needs only the spec; `check_columns` also needs the result's columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dashboards.charts.columns import ColumnKind
from dashboards.charts.errors import ChartError
from dashboards.charts.spec import Aggregation, ChartSpec, ChartType, LocationMode, SortBy

Requirement = Callable[[ChartSpec], None]


def _needs_x(spec: ChartSpec) -> None:
    if spec.encodings.x is None:
        raise ChartError(f"a {spec.type} chart needs an x column", "encodings.x")


def _needs_y(spec: ChartSpec) -> None:
    if not spec.encodings.y:
        raise ChartError(f"a {spec.type} chart needs at least one y column", "encodings.y")


def _needs_y_or_count(spec: ChartSpec) -> None:
    if not spec.encodings.y and spec.aggregation is not Aggregation.COUNT:
        raise ChartError(
            f"a {spec.type} chart needs a y column, or the count aggregation", "encodings.y"
        )


def _needs_one_y(spec: ChartSpec) -> None:
    if len(spec.encodings.y) != 1:
        raise ChartError(f"a {spec.type} chart takes exactly one y column", "encodings.y")


def _needs_at_most_one_y(spec: ChartSpec) -> None:
    if len(spec.encodings.y) > 1:
        raise ChartError(f"a {spec.type} chart takes one y column", "encodings.y")


def _needs_size(spec: ChartSpec) -> None:
    if spec.encodings.size is None:
        raise ChartError("a bubble chart needs a size column", "encodings.size")


def _needs_no_aggregation(spec: ChartSpec) -> None:
    if spec.aggregation is not Aggregation.NONE:
        raise ChartError(f"a {spec.type} chart draws rows as they are", "aggregation")


def _needs_value(spec: ChartSpec) -> None:
    if spec.encodings.value is None:
        raise ChartError(f"a {spec.type} chart needs a value column", "encodings.value")


def _needs_lat_lon(spec: ChartSpec) -> None:
    for field in ("lat", "lon"):
        if getattr(spec.encodings, field) is None:
            raise ChartError(f"a map of points needs a {field} column", f"encodings.{field}")


def _needs_location(spec: ChartSpec) -> None:
    if spec.encodings.location is None:
        raise ChartError("a choropleth needs a location column", "encodings.location")
    if spec.encodings.location_mode is LocationMode.GEOJSON and spec.options.geojson is None:
        raise ChartError("location mode 'geojson' needs a GeoJSON", "options.geojson")


def _needs_rows_or_columns(spec: ChartSpec) -> None:
    if not spec.encodings.rows and not spec.encodings.columns:
        raise ChartError("a pivot table needs row or column groups", "encodings.rows")


def _needs_sort_column(spec: ChartSpec) -> None:
    if spec.sort is not None and spec.sort.by is SortBy.COLUMN and spec.sort.column is None:
        raise ChartError("sorting by column needs the column", "sort.column")


_REQUIREMENTS: dict[ChartType, tuple[Requirement, ...]] = {
    ChartType.TABLE: (),
    ChartType.COUNTER: (_needs_value,),
    ChartType.LINE: (_needs_x, _needs_y_or_count),
    ChartType.AREA: (_needs_x, _needs_y_or_count),
    ChartType.BAR: (_needs_x, _needs_y_or_count),
    ChartType.SCATTER: (_needs_x, _needs_y),
    ChartType.BUBBLE: (_needs_x, _needs_one_y, _needs_size, _needs_no_aggregation),
    ChartType.PIE: (_needs_x, _needs_at_most_one_y, _needs_y_or_count),
    ChartType.HISTOGRAM: (_needs_x,),
    ChartType.BOX: (_needs_y,),
    ChartType.HEATMAP: (_needs_x, _needs_one_y),
    ChartType.PIVOT: (_needs_rows_or_columns,),
    ChartType.FUNNEL: (_needs_x, _needs_at_most_one_y, _needs_y_or_count),
    ChartType.MAP_POINTS: (_needs_lat_lon,),
    ChartType.CHOROPLETH: (_needs_location,),
}

_NUMERIC_AGGREGATIONS = frozenset({Aggregation.SUM, Aggregation.AVG, Aggregation.MEDIAN})


def check_encodings(spec: ChartSpec) -> None:
    """Raise `ChartError` unless `spec` has every encoding its chart type needs."""
    for requirement in _REQUIREMENTS[spec.type]:
        requirement(spec)
    _needs_sort_column(spec)


def referenced_columns(spec: ChartSpec) -> Iterator[tuple[str, str]]:
    """Every result column the spec names, as (field path, column name)."""
    encodings = spec.encodings
    for field in ("x", "series", "size", "lat", "lon", "location", "value", "target"):
        name = getattr(encodings, field)
        if name is not None:
            yield f"encodings.{field}", name
    for field in ("y", "rows", "columns"):
        for index, name in enumerate(getattr(encodings, field)):
            yield f"encodings.{field}[{index}]", name
    if spec.sort is not None and spec.sort.column is not None:
        yield "sort.column", spec.sort.column
    for index, rule in enumerate(spec.options.conditional_colours):
        yield f"options.conditional_colours[{index}].column", rule.column


def _numeric_fields(spec: ChartSpec) -> Iterator[tuple[str, str]]:
    encodings = spec.encodings
    # Counting works on any column; every other aggregation, and drawing raw values, needs
    # numbers (bar, pie and the like sum raw values).
    is_measure_numeric = spec.aggregation in _NUMERIC_AGGREGATIONS or (
        spec.aggregation is Aggregation.NONE
    )
    if is_measure_numeric and spec.type is not ChartType.HEATMAP:
        yield from ((f"encodings.y[{i}]", name) for i, name in enumerate(encodings.y))
    if is_measure_numeric and encodings.value is not None:
        yield "encodings.value", encodings.value
    for field in ("size", "lat", "lon", "target"):
        name = getattr(encodings, field)
        if name is not None:
            yield f"encodings.{field}", name
    if spec.type is ChartType.HISTOGRAM and encodings.x is not None:
        yield "encodings.x", encodings.x


def check_columns(spec: ChartSpec, columns: dict[str, ColumnKind]) -> None:
    """Raise `ChartError` when the spec names a column the result lacks, or a column whose
    values cannot be measured where numbers are needed (summing text, say).
    """
    for field, name in referenced_columns(spec):
        if name not in columns:
            listed = ", ".join(repr(column) for column in list(columns)[:20])
            raise ChartError(f"unknown column {name!r}; the result has {listed}", field)
    for field, name in _numeric_fields(spec):
        kind = columns[name]
        if kind is not ColumnKind.NUMBER:
            raise ChartError(f"column {name!r} holds {kind} values, not numbers", field)
