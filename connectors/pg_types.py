"""PostgreSQL result columns → Arrow types, and the loaders that feed them.

Choices: `numeric` with a known precision ≤ 38 becomes decimal128(precision, scale); an
unconstrained `numeric` (what sum() and avg() return) becomes float64, because charts and
aggregations need a number more than the digits past the 15th (NaN stays NaN). Types
without an Arrow counterpart here (inet, ranges, geometric types, …) and uuid and json
come as their PostgreSQL text. Timestamps are microseconds; timestamptz is in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal

import pyarrow as pa
from psycopg import Connection
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.postgres import types as builtin_types
from psycopg.types.string import TextLoader

NUMERIC_OID = 1700
INTERVAL_OID = 1186
_MAX_DECIMAL_PRECISION = 38

#: scalar OIDs with an Arrow type of their own
SCALAR_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    26: pa.int64(),  # oid
    700: pa.float32(),
    701: pa.float64(),
    NUMERIC_OID: pa.float64(),
    25: pa.string(),
    1043: pa.string(),
    1042: pa.string(),
    18: pa.string(),
    19: pa.string(),
    17: pa.binary(),
    1082: pa.date32(),
    1083: pa.time64("us"),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    INTERVAL_OID: pa.month_day_nano_interval(),
}

#: array OID → element OID, for every built-in type
ARRAY_ELEMENTS: dict[int, int] = {
    info.array_oid: info.oid for info in builtin_types if info.array_oid
}

_INTERVAL_PART = re.compile(r"([+-]?\d+) (year|mon|day)s?")
_INTERVAL_TIME = re.compile(r"([+-])?(\d+):(\d+):(\d+(?:\.\d+)?)")
_MONTHS_PER_UNIT = {"year": 12, "mon": 1}


class IntervalLoader(Loader):
    """Loads an interval (IntervalStyle `postgres`) as (months, days, nanoseconds).

    psycopg's own loader folds months into days, which Arrow's interval keeps apart.
    """

    def load(self, data: Buffer) -> tuple[int, int, int]:
        return parse_interval(bytes(data).decode())


def parse_interval(text: str) -> tuple[int, int, int]:
    """`1 year 2 mons -3 days +04:05:06.5` → (14, -3, 14706500000000)."""
    months = days = 0
    for amount, unit in _INTERVAL_PART.findall(text):
        if unit == "day":
            days += int(amount)
        else:
            months += int(amount) * _MONTHS_PER_UNIT[unit]
    nanoseconds = 0
    time = _INTERVAL_TIME.search(text)
    if time:
        sign, hours, minutes, seconds = time.groups()
        total = (int(hours) * 3600 + int(minutes) * 60) * 10**9 + int(Decimal(seconds) * 10**9)
        nanoseconds = -total if sign == "-" else total
    return months, days, nanoseconds


def register_loaders(connection: Connection[tuple[object, ...]]) -> None:
    """Make `connection` load every built-in type we keep as text as its text, and
    intervals as Arrow wants them."""
    for info in builtin_types:
        if info.oid not in SCALAR_TYPES:
            connection.adapters.register_loader(info.oid, TextLoader)
    connection.adapters.register_loader(INTERVAL_OID, IntervalLoader)


def arrow_type(oid: int, precision: int | None, scale: int | None) -> pa.DataType:
    """The Arrow type of a result column of type `oid` (typmod-derived precision/scale)."""
    if oid == NUMERIC_OID and precision and precision <= _MAX_DECIMAL_PRECISION:
        return pa.decimal128(precision, scale or 0)
    element = ARRAY_ELEMENTS.get(oid)
    if element is not None:
        return pa.list_(SCALAR_TYPES.get(element, pa.string()))
    return SCALAR_TYPES.get(oid, pa.string())


def to_array(values: Sequence[object], arrow: pa.DataType) -> pa.Array:
    """One column of loaded values as an Arrow array of type `arrow`.

    Raises pyarrow.ArrowException if a value does not fit (a multi-dimensional array).
    """
    return pa.array(_prepare(values, arrow), type=arrow)


def _prepare(values: Sequence[object], arrow: pa.DataType) -> list[object]:
    if isinstance(arrow, pa.ListType):
        return [
            None if v is None else _prepare(v, arrow.value_type)  # type: ignore[arg-type]
            for v in values
        ]
    return _PREPARE.get(_family(arrow), list)(values)


def _family(arrow: pa.DataType) -> str:
    if pa.types.is_decimal(arrow):
        return "decimal"
    if pa.types.is_floating(arrow):
        return "float"
    if pa.types.is_string(arrow):
        return "string"
    return "other"


def _as_floats(values: Sequence[object]) -> list[object]:
    return [v if v is None or isinstance(v, float) else float(v) for v in values]  # type: ignore[arg-type]


def _as_decimals(values: Sequence[object]) -> list[object]:
    # numeric(p, s) admits NaN, which decimal128 cannot hold
    return [None if isinstance(v, Decimal) and v.is_nan() else v for v in values]


def _as_strings(values: Sequence[object]) -> list[object]:
    return [v if v is None or isinstance(v, str) else str(v) for v in values]


_PREPARE: dict[str, Callable[[Sequence[object]], list[object]]] = {
    "decimal": _as_decimals,
    "float": _as_floats,
    "string": _as_strings,
}
