"""SQL text pieces built from user-supplied names, never from user-supplied values.

Column names come from users (a result column may be called anything, quotes included), so
they only ever reach SQL through `quote_ident`. Values go through query parameters.
"""

from __future__ import annotations

from dashboards.charts.columns import ColumnKind
from dashboards.charts.spec import Aggregation

_AGGREGATES: dict[Aggregation, str] = {
    Aggregation.SUM: "sum({})",
    Aggregation.AVG: "avg({})",
    Aggregation.COUNT: "count({})",
    Aggregation.COUNT_DISTINCT: "count(DISTINCT {})",
    Aggregation.MIN: "min({})",
    Aggregation.MAX: "max({})",
    Aggregation.MEDIAN: "median({})",
}

_AS_NUMBER: dict[ColumnKind, str] = {
    ColumnKind.NUMBER: "CAST({} AS DOUBLE)",
    ColumnKind.TIMESTAMP: "CAST(epoch_us({}) AS DOUBLE)",
    ColumnKind.DATE: "CAST(epoch_us(CAST({} AS TIMESTAMP)) AS DOUBLE)",
    ColumnKind.BOOLEAN: "CAST(CAST({} AS INTEGER) AS DOUBLE)",
}


def quote_ident(name: str) -> str:
    """`name` as a DuckDB identifier that means exactly that name, whatever it contains."""
    return '"' + name.replace('"', '""') + '"'


def aggregate(aggregation: Aggregation, expression: str | None) -> str:
    """SQL applying `aggregation` to `expression`; a count of rows when it is None.

    `Aggregation.NONE` is not an aggregate: callers that must group choose one first.
    """
    if expression is None:
        return "count(*)"
    if aggregation is Aggregation.NONE:
        raise ValueError("Aggregation.NONE has no SQL aggregate")
    return _AGGREGATES[aggregation].format(expression)


def as_number(expression: str, kind: ColumnKind) -> str | None:
    """SQL turning `expression` into a DOUBLE that orders like it (times as epoch µs).

    None for kinds with no such order (text): callers rank those instead.
    """
    template = _AS_NUMBER.get(kind)
    return template.format(expression) if template else None
