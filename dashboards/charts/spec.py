"""The chart spec: what a saved visualization stores, as pydantic models.

A spec names result columns (encodings), how to aggregate them, how to sort, and how the
figure should look (options). It is the JSON boundary between the editor, the REST API and
the figure builder, so every model forbids unknown keys: a typo fails loudly instead of being
ignored. Shapes are checked here; whether the spec suits its chart type and its result's
columns is checked by `dashboards.charts.checks` when the figure is built.
"""

from __future__ import annotations

import re
from enum import IntEnum, StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from dashboards.charts.errors import ChartError


class ChartType(StrEnum):
    TABLE = "table"
    COUNTER = "counter"
    LINE = "line"
    AREA = "area"
    BAR = "bar"
    SCATTER = "scatter"
    BUBBLE = "bubble"
    PIE = "pie"
    HISTOGRAM = "histogram"
    BOX = "box"
    HEATMAP = "heatmap"
    PIVOT = "pivot"
    FUNNEL = "funnel"
    MAP_POINTS = "map_points"
    CHOROPLETH = "choropleth"


class Aggregation(StrEnum):
    NONE = "none"
    SUM = "sum"
    AVG = "avg"
    COUNT = "count"
    COUNT_DISTINCT = "count_distinct"
    MIN = "min"
    MAX = "max"
    MEDIAN = "median"


class SortBy(StrEnum):
    X = "x"
    VALUE = "value"
    COLUMN = "column"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class LocationMode(StrEnum):
    COUNTRY_NAMES = "country names"
    ISO3 = "ISO-3"
    USA_STATES = "USA-states"
    GEOJSON = "geojson"


class BarMode(StrEnum):
    GROUPED = "grouped"
    STACKED = "stacked"
    PERCENT = "percent"


class Stacking(StrEnum):
    NONE = "none"
    STACKED = "stacked"
    PERCENT = "percent"


class AxisScale(StrEnum):
    LINEAR = "linear"
    LOG = "log"
    DATE = "date"


class LegendPosition(StrEnum):
    RIGHT = "right"
    BOTTOM = "bottom"
    TOP = "top"
    LEFT = "left"


class RuleOp(StrEnum):
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    EQ = "="
    NE = "!="
    CONTAINS = "contains"


class GeoScope(StrEnum):
    """The map scopes whose shapes `dashboards.charts.geo` can serve locally."""

    WORLD = "world"
    USA = "usa"
    EUROPE = "europe"
    ASIA = "asia"
    AFRICA = "africa"
    NORTH_AMERICA = "north america"
    SOUTH_AMERICA = "south america"


class GeoResolution(IntEnum):
    LOW = 110
    HIGH = 50


# d3-format's own grammar: [[fill]align][sign][symbol][0][width][,][.precision][~][type]
_D3_NUMBER_FORMAT = re.compile(
    r"^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([efgrsp%bodxXcn])?$"
)
# Directives that d3-time-format (axes) and DuckDB strftime (table cells) read alike,
# plus %L (milliseconds), which the table translates for DuckDB.
_DATE_DIRECTIVE = re.compile(r"%(-?)(.)")
DATE_DIRECTIVES = frozenset("aAbBdHIjLmMpSUWyY%")
_COLOUR = re.compile(
    r"^(#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"
    r"|(?:rgb|rgba|hsl|hsla)\([0-9.,%\s]+\)"
    r"|[a-zA-Z]{3,30})$"
)
_COLOUR_SCALE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


def _check_number_format(value: str) -> str:
    if not _D3_NUMBER_FORMAT.match(value):
        raise ValueError(f"{value!r} is not a d3-format string (for example ',.2f' or '.1%')")
    return value


def _check_date_format(value: str) -> str:
    directives = _DATE_DIRECTIVE.findall(value)
    if not directives:
        raise ValueError(f"{value!r} has no %-directive (for example '%Y-%m-%d')")
    unknown = sorted({letter for _, letter in directives if letter not in DATE_DIRECTIVES})
    if unknown:
        allowed = " ".join(f"%{letter}" for letter in sorted(DATE_DIRECTIVES))
        raise ValueError(f"unsupported directive %{unknown[0]}; use one of: {allowed}")
    return value


def _check_colour(value: str) -> str:
    if not _COLOUR.match(value):
        raise ValueError(f"{value!r} is not a colour (#rrggbb, rgb(), hsl() or a CSS name)")
    return value


def _check_colour_scale(value: str) -> str:
    if not _COLOUR_SCALE.match(value):
        raise ValueError(f"{value!r} is not a plotly colour scale name (for example 'Viridis')")
    return value


def _check_geojson(value: str | dict[str, Any]) -> str | dict[str, Any]:
    if isinstance(value, str):
        # A same-origin path only: viewers' browsers must never fetch shapes from elsewhere.
        if not value.startswith("/") or value.startswith("//"):
            raise ValueError("a GeoJSON URL must be a path on this site, starting with '/'")
    elif value.get("type") != "FeatureCollection" or not isinstance(value.get("features"), list):
        raise ValueError("GeoJSON must be a FeatureCollection with a list of features")
    return value


def _check_row(value: int) -> int:
    if value == 0:
        raise ValueError("rows count from 1 (or from -1 at the end), not 0")
    return value


NumberFormat = Annotated[str, AfterValidator(_check_number_format)]
DateFormat = Annotated[str, AfterValidator(_check_date_format)]
Colour = Annotated[str, AfterValidator(_check_colour)]
ColourScale = Annotated[str, AfterValidator(_check_colour_scale)]
GeoJSON = Annotated[str | dict[str, Any], AfterValidator(_check_geojson)]
ColumnName = Annotated[str, Field(min_length=1, max_length=1024)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Encodings(_Model):
    """Which result columns feed which part of the chart."""

    x: ColumnName | None = None
    y: list[ColumnName] = Field(default_factory=list, max_length=50)
    series: ColumnName | None = None
    size: ColumnName | None = None
    lat: ColumnName | None = None
    lon: ColumnName | None = None
    location: ColumnName | None = None
    location_mode: LocationMode = LocationMode.ISO3
    feature_id_key: str = Field(default="id", pattern=r"^(id|properties\.[^\s]{1,200})$")
    value: ColumnName | None = None
    rows: list[ColumnName] = Field(default_factory=list, max_length=10)
    columns: list[ColumnName] = Field(default_factory=list, max_length=200)
    target: ColumnName | None = None


class Sort(_Model):
    by: SortBy
    order: SortOrder = SortOrder.ASC
    column: ColumnName | None = None


class Axis(_Model):
    title: str | None = Field(default=None, max_length=200)
    scale: AxisScale | None = None


class Legend(_Model):
    is_shown: bool = True
    position: LegendPosition = LegendPosition.RIGHT


class Colours(_Model):
    palette: list[Colour] = Field(default_factory=list, max_length=100)
    by_series: dict[str, Colour] = Field(default_factory=dict)


class ColourRule(_Model):
    """Paint a table cell of `column` with `colour` when `cell <op> value` holds."""

    column: ColumnName
    op: RuleOp
    value: float | str
    colour: Colour


class Options(_Model):
    """How the figure looks. Fields apply to the chart types that have the part they name.

    `top_n` defaults per type (bar and funnel 50, pie 10, heatmap axes 100, box groups 50);
    `counter_row` is 1-based and counts from the end when negative; `page` is 1-based.
    """

    bar_mode: BarMode = BarMode.GROUPED
    is_horizontal: bool = False
    hole: float = Field(default=0.0, ge=0.0, lt=1.0)
    x_axis: Axis = Axis()
    y_axis: Axis = Axis()
    number_format: NumberFormat | None = None
    date_format: DateFormat | None = None
    colours: Colours = Colours()
    colour_scale: ColourScale | None = None
    legend: Legend = Legend()
    stacking: Stacking = Stacking.NONE
    has_trend_line: bool = False
    top_n: int | None = Field(default=None, ge=1, le=10_000)
    max_series: int = Field(default=20, ge=1, le=200)
    bins: int = Field(default=20, ge=1, le=1_000)
    conditional_colours: list[ColourRule] = Field(default_factory=list, max_length=100)
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=100, ge=1, le=1_000)
    has_delta: bool = False
    counter_row: Annotated[int, AfterValidator(_check_row)] = 1
    scope: GeoScope = GeoScope.WORLD
    resolution: GeoResolution = GeoResolution.LOW
    geojson: GeoJSON | None = None


class ChartSpec(_Model):
    type: ChartType
    encodings: Encodings = Encodings()
    aggregation: Aggregation = Aggregation.NONE
    sort: Sort | None = None
    options: Options = Options()


def parse_spec(data: Any) -> ChartSpec:
    """Validate JSON-like `data` as a `ChartSpec`.

    Raises `ChartError` for the first problem, with `field` the dotted path to it.
    """
    try:
        return ChartSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ChartError(first["msg"], _dotted(first["loc"])) from exc


def _dotted(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path
