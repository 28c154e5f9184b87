"""Python values from DuckDB rows turned into what `json.dumps` and plotly.js accept."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID


def _float(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _decimal(value: Decimal) -> float | None:
    return _float(float(value))


def _iso(value: dt.date | dt.time) -> str:
    return value.isoformat()


def _seconds(value: dt.timedelta) -> float:
    return value.total_seconds()


def _hex(value: bytes) -> str:
    return value.hex()


def _text(value: Any) -> str:
    return str(value)


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    float: _float,
    Decimal: _decimal,
    dt.datetime: _iso,
    dt.date: _iso,
    dt.time: _iso,
    dt.timedelta: _seconds,
    bytes: _hex,
    UUID: _text,
}


def to_json(value: Any) -> Any:
    """`value` as JSON: dates and times as ISO 8601, decimals as floats, NaN and ±inf as None.

    Lists and dicts (DuckDB LIST/STRUCT values) are converted element by element; any other
    type falls back to its `str`.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    converter: Callable[[Any], Any] = _CONVERTERS.get(type(value), _text)
    return converter(value)


def column(values: Iterable[Any]) -> list[Any]:
    """`to_json` of every value, as a list (one trace's x or y array)."""
    return [to_json(value) for value in values]
