"""Text-format encoders: one Arrow column in, one binary array of PostgreSQL text
representations out, byte-identical to what PostgreSQL 16 prints (DateStyle ISO,
IntervalStyle postgres, bytea_output hex).

Every common type is encoded with vectorised Arrow/numpy operations over the whole
column; only intervals, arrays and JSON built from structs take a per-value path.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pgwire.encoding.arrow_storage import plain_array
from pgwire.encoding.value_arrays import as_binary, fixed_width_cells, per_value, value_buffers
from pgwire.types.builtin import OID_LIKE, TEXT_LIKE, VECTOR_ELEMENT, ColumnType, type_named

_HEX_PAIRS = np.array([list(f"{byte:02x}".encode()) for byte in range(256)], dtype=np.uint8)
_FLOAT_PARTS = r"^(?P<sign>-?)(?P<whole>\d+)(?:\.(?P<frac>\d+))?(?:e(?P<exp>[-+]\d+))?$"
_DATE_INFINITY = 2**31 - 1
_TIMESTAMP_INFINITY = 2**63 - 1


@dataclass(frozen=True)
class TextContext:
    """Session settings that change text output."""

    time_zone: str = "UTC"  # an IANA zone name Arrow understands
    extra_float_digits: int = 1


Encoder = Callable[[pa.Array, TextContext], pa.Array]


def encode_text(array: pa.Array, column: ColumnType, context: TextContext) -> pa.Array:
    """Text cells of `array` as PostgreSQL prints values of `column`'s type."""
    array = plain_array(array)
    pg_type = column.pg_type
    if pg_type.is_array or pg_type.name in VECTOR_ELEMENT:
        return _array_text(array, column, context)
    if pg_type.name in OID_LIKE or pg_type.name in TEXT_LIKE:
        return _generic_text(array, context)
    return _ENCODERS.get(pg_type.name, _generic_text)(array, context)


def small_text_cells(array: pa.Array, column: ColumnType) -> list[bytes | None] | None:
    """The text cells of a few integers or strings as Python bytes — their text is str()
    or the UTF-8 itself — or None for any other column. For a tiny result the kernels'
    fixed cost (tens of µs a call) is most of the work."""
    pg_type = column.pg_type
    if pg_type.is_array or pg_type.name in _ENCODERS or pg_type.name in VECTOR_ELEMENT:
        return None
    array = plain_array(array)
    if pa.types.is_integer(array.type):
        return [None if value is None else str(value).encode() for value in array.to_pylist()]
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return [None if value is None else value.encode() for value in array.to_pylist()]
    return None


def _generic_text(array: pa.Array, context: TextContext) -> pa.Array:
    if pa.types.is_string(array.type) or pa.types.is_binary(array.type):
        return as_binary(array)
    if pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type):
        return as_binary(array)
    if pa.types.is_integer(array.type) or pa.types.is_decimal(array.type):
        return as_binary(pc.cast(array, pa.string()))
    if pa.types.is_struct(array.type) or pa.types.is_map(array.type):
        return _json_text(array, context)
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), pa.binary())
    return as_binary(pc.cast(array, pa.string()))


def _bool_text(array: pa.Array, context: TextContext) -> pa.Array:
    if not pa.types.is_boolean(array.type):
        array = pc.cast(array, pa.bool_())
    return pc.if_else(array, pa.scalar(b"t"), pa.scalar(b"f"))


def _float_text(limit: int, arrow_type: pa.DataType) -> Encoder:
    def encode(array: pa.Array, context: TextContext) -> pa.Array:
        values = pc.cast(array, arrow_type) if array.type != arrow_type else array
        if context.extra_float_digits <= 0:
            precision = limit + context.extra_float_digits
            return per_value(values, lambda item: _float_fixed_precision(item, precision))
        text = _shortest_float_text(values, limit)
        return as_binary(_with_exact_large_floats(values, text, limit))

    return encode


def _with_exact_large_floats(values: pa.Array, text: pa.Array, limit: int) -> pa.Array:
    """PostgreSQL's Ryu never accepts a candidate on the rounding boundary, where Arrow's
    shortest form may; that only happens for integers beyond the mantissa (2^53 for float8,
    2^24 for float4), which are re-encoded one by one."""
    threshold = 2.0**53 if limit == 15 else 2.0**24
    magnitude = pc.abs(values)
    is_large = pc.and_(pc.greater_equal(magnitude, threshold), pc.is_finite(values))
    if not pc.any(is_large).as_py():
        return text
    is_float4 = limit == 6
    exact = per_value(values, lambda item: _ryu_text(item, is_float4))
    return pc.if_else(pc.fill_null(is_large, False), exact, as_binary(text))


def _ryu_text(value: float, is_float4: bool) -> bytes:
    special = _float_special(value)
    if special or value == 0:
        return special or (b"-0" if math.copysign(1, value) < 0 else b"0")
    if is_float4:
        with np.errstate(over="ignore"):  # the neighbour of FLT_MAX is infinity
            below = float(np.nextafter(np.float32(value), np.float32(-np.inf)))
            above = float(np.nextafter(np.float32(value), np.float32(np.inf)))
    else:
        below, above = math.nextafter(value, -math.inf), math.nextafter(value, math.inf)
    with localcontext() as context:
        context.prec = 1200
        exact = Decimal(value)
        low = (exact + Decimal(below)) / 2
        high = exact + (exact - low) if math.isinf(above) else (exact + Decimal(above)) / 2
        for precision in range(1, 18):
            context.prec = precision
            candidate = +exact
            if low < candidate < high:
                break
    sign, digit_tuple, exponent10 = candidate.as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    display_exponent = int(exponent10) + len(digit_tuple) - 1
    return _pg_float_layout("-" if sign else "", digits, display_exponent, 6 if is_float4 else 15)


def _pg_float_layout(sign: str, digits: str, exponent: int, limit: int) -> bytes:
    if -4 <= exponent < limit:
        if exponent < 0:
            body = "0." + "0" * (-exponent - 1) + digits
        elif len(digits) > exponent + 1:
            body = digits[: exponent + 1] + "." + digits[exponent + 1 :]
        else:
            body = digits.ljust(exponent + 1, "0")
    else:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        body = f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return (sign + body).encode()


def _float_fixed_precision(value: float, precision: int) -> bytes:
    special = _float_special(value)
    return special or (b"%.*g" % (max(precision, 1), value))


def _float_special(value: float) -> bytes:
    if value != value:
        return b"NaN"
    if value in (float("inf"), float("-inf")):
        return b"Infinity" if value > 0 else b"-Infinity"
    return b""


def _shortest_float_text(values: pa.Array, limit: int) -> pa.Array:
    """PostgreSQL's shortest round-trip form: plain notation for decimal exponents in
    [-4, limit), scientific with a two-digit exponent otherwise (limit 15 for float8, 6 for
    float4). Arrow supplies the shortest digits; only their layout is rewritten."""
    parts = pc.extract_regex(pc.cast(values, pa.string()), _FLOAT_PARTS)
    sign, whole, frac = parts.field("sign"), parts.field("whole"), parts.field("frac")
    written_exp = parts.field("exp")
    written_exp = pc.if_else(pc.equal(written_exp, ""), "0", written_exp)
    exponent_in = pc.cast(pc.replace_substring(written_exp, "+", ""), pa.int32()).to_numpy()
    frac_trimmed = pc.utf8_ltrim(frac, "0")
    is_zero_whole = pc.equal(whole, "0").to_numpy(zero_copy_only=False)
    leading_zeros = _lengths(frac) - _lengths(frac_trimmed)
    exponent = exponent_in + np.where(is_zero_whole, -(leading_zeros + 1), _lengths(whole) - 1)
    digits = pc.utf8_rtrim(
        pc.if_else(
            pa.array(is_zero_whole), frac_trimmed, pc.binary_join_element_wise(whole, frac, "")
        ),
        "0",
    )
    digit_count = _lengths(digits)
    result = _scientific(sign, digits, exponent)
    is_plain = (exponent >= -4) & (exponent < limit) & (digit_count > 0)
    for value in np.unique(exponent[is_plain]):
        layout = _plain_layout(digits, digit_count, int(value))
        mask = pa.array(is_plain & (exponent == value))
        result = pc.if_else(mask, pc.binary_join_element_wise(sign, layout, ""), result)
    result = pc.if_else(
        pa.array(digit_count == 0), pc.binary_join_element_wise(sign, "0", ""), result
    )
    return _with_float_specials(values, parts, result)


def _lengths(strings: pa.Array) -> np.ndarray:
    return np.asarray(pc.utf8_length(strings).to_numpy(zero_copy_only=False), dtype=np.int64)


def _scientific(sign: pa.Array, digits: pa.Array, exponent: np.ndarray) -> pa.Array:
    first = pc.utf8_slice_codeunits(digits, 0, 1)
    rest = pc.utf8_slice_codeunits(digits, 1, 64)
    dot = pc.if_else(pc.equal(rest, ""), "", ".")
    exp_sign = pa.array(np.where(exponent < 0, "-", "+"))
    exp_digits = pc.utf8_lpad(pc.cast(pa.array(np.abs(exponent)), pa.string()), 2, "0")
    return pc.binary_join_element_wise(sign, first, dot, rest, "e", exp_sign, exp_digits, "")


def _plain_layout(digits: pa.Array, digit_count: np.ndarray, exponent: int) -> pa.Array:
    if exponent < 0:
        return pc.binary_join_element_wise("0.", "0" * (-exponent - 1), digits, "")
    whole_count = exponent + 1
    with_point = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(digits, 0, whole_count),
        ".",
        pc.utf8_slice_codeunits(digits, whole_count, 64),
        "",
    )
    padded = pc.utf8_rpad(digits, whole_count, "0")
    return pc.if_else(pa.array(digit_count > whole_count), with_point, padded)


def _with_float_specials(values: pa.Array, parts: pa.Array, result: pa.Array) -> pa.Array:
    if parts.null_count == values.null_count:
        return pc.if_else(pc.is_valid(values), result, pa.scalar(None, pa.string()))
    special = pc.if_else(
        pc.is_nan(values),
        "NaN",
        pc.if_else(pc.greater(values, 0), "Infinity", "-Infinity"),
    )
    return pc.if_else(pc.is_valid(parts), result, special)


def _numeric_text(array: pa.Array, context: TextContext) -> pa.Array:
    if pa.types.is_decimal(array.type):
        return _decimal_text(array)
    if pa.types.is_floating(array.type):
        return per_value(
            array, lambda item: _float_special(item) or str(Decimal(repr(item))).encode()
        )
    return _generic_text(array, context)


def _decimal_text(array: pa.Array) -> pa.Array:
    """Arrow writes small decimals in scientific notation (`5.06E-12`, `0E-18`); PostgreSQL
    never does, so those few values are re-written in plain notation."""
    text = pc.cast(array, pa.string())
    has_exponent = pc.match_substring(text, "E")
    if not pc.any(has_exponent).as_py():
        return as_binary(text)
    plain = per_value(array, lambda item: format(item, "f").encode())
    return pc.if_else(pc.fill_null(has_exponent, False), plain, as_binary(text))


def _bytea_text(array: pa.Array, context: TextContext) -> pa.Array:
    binary = as_binary(array)
    offsets, data = value_buffers(binary)
    hex_data = _HEX_PAIRS[data].reshape(-1)
    hex_cells = pa.Array.from_buffers(
        pa.binary(), len(binary), [None, pa.py_buffer(offsets * 2), pa.py_buffer(hex_data)]
    )
    joined = pc.binary_join_element_wise(pa.scalar(b"\\x"), hex_cells, b"")
    return pc.if_else(pc.is_valid(binary), joined, pa.scalar(None, pa.binary()))


def _strip_fraction(strings: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(strings, r"\.?0+$", "")


def _date_text(array: pa.Array, context: TextContext) -> pa.Array:
    days = pc.cast(array, pa.date32()) if not pa.types.is_date32(array.type) else array
    text = pc.cast(days, pa.string())
    return as_binary(_with_infinities(text, days.view(pa.int32()), _DATE_INFINITY))


def _with_infinities(text: pa.Array, raw: pa.Array, infinity: int) -> pa.Array:
    bounds = pc.min_max(raw).as_py()
    if bounds["min"] is None or (bounds["min"] > -infinity and bounds["max"] < infinity):
        return text
    text = pc.if_else(pc.greater_equal(raw, infinity), "infinity", text)
    return pc.if_else(pc.less_equal(raw, -infinity), "-infinity", text)


def _time_text(array: pa.Array, context: TextContext) -> pa.Array:
    micros = pc.cast(array, pa.time64("us"), safe=False)
    return as_binary(_strip_fraction(pc.cast(micros, pa.string())))


def _timestamp_text(array: pa.Array, context: TextContext) -> pa.Array:
    micros = pc.cast(array, pa.timestamp("us"), safe=False)
    text = _strip_fraction(pc.cast(micros, pa.string()))
    return as_binary(_with_infinities(text, micros.view(pa.int64()), _TIMESTAMP_INFINITY))


def _timestamptz_text(array: pa.Array, context: TextContext) -> pa.Array:
    if not pa.types.is_timestamp(array.type) or array.type.tz is None:
        array = pc.assume_timezone(pc.cast(array, pa.timestamp("us"), safe=False), "UTC")
    local = pc.cast(array, pa.timestamp("us", tz=context.time_zone), safe=False)
    text = pc.cast(local, pa.string())
    text = pc.replace_substring_regex(text, r"\.?0+(Z|[+-]\d{4})$", r"\1")
    text = pc.replace_substring_regex(text, r"Z$", "+00")
    text = pc.replace_substring_regex(text, r"([+-]\d\d)00$", r"\1")
    text = pc.replace_substring_regex(text, r"([+-]\d\d)(\d\d)$", r"\1:\2")
    return as_binary(_with_infinities(text, local.view(pa.int64()), _TIMESTAMP_INFINITY))


def _interval_text(array: pa.Array, context: TextContext) -> pa.Array:
    if pa.types.is_duration(array.type):
        micros = pc.cast(array, pa.duration("us"), safe=False).view(pa.int64())
        return per_value(micros, lambda item: format_interval(0, 0, item))
    return per_value(
        array,
        lambda item: format_interval(item.months, item.days, item.nanoseconds // 1000),
    )


def format_interval(months: int, days: int, micros: int) -> bytes:
    """An interval as PostgreSQL prints it with IntervalStyle postgres."""
    parts: list[str] = []
    is_before = False
    years, months_left = int(months / 12), months - int(months / 12) * 12
    for value, unit in ((years, "year"), (months_left, "mon"), (days, "day")):
        if value:
            plus = "+" if is_before and value > 0 else ""
            parts.append(f"{plus}{value} {unit}{'' if value == 1 else 's'}")
            is_before = value < 0
    if micros or not parts:
        sign = "-" if micros < 0 else ("+" if is_before else "")
        seconds, fraction = divmod(abs(micros), 1_000_000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        clock = f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"
        if fraction:
            clock += f".{fraction:06d}".rstrip("0")
        parts.append(clock)
    return " ".join(parts).encode()


def _uuid_text(array: pa.Array, context: TextContext) -> pa.Array:
    if not pa.types.is_fixed_size_binary(array.type):
        return _generic_text(array, context)
    raw = np.frombuffer(array.buffers()[1], dtype=np.uint8)[
        array.offset * 16 : (array.offset + len(array)) * 16
    ]
    hex_chars = _HEX_PAIRS[raw].reshape(len(array), 32)
    text = np.full((len(array), 36), ord("-"), dtype=np.uint8)
    for start, stop, target in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        text[:, target : target + stop - start] = hex_chars[:, start:stop]
    return fixed_width_cells(text.reshape(-1), 36, array)


def _json_text(array: pa.Array, context: TextContext) -> pa.Array:
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return as_binary(array)
    return per_value(
        array, lambda item: json.dumps(_jsonable(item), separators=(", ", ": ")).encode()
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        if all(isinstance(item, tuple) and len(item) == 2 for item in value) and value:
            return {str(key): _jsonable(item) for key, item in value}
        return [_jsonable(item) for item in value]
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    return str(value)


def _array_text(array: pa.Array, column: ColumnType, context: TextContext) -> pa.Array:
    if pa.types.is_string(array.type) or pa.types.is_binary(array.type):
        return as_binary(array)
    pg_type = column.pg_type
    element = ColumnType(type_named(pg_type.element or VECTOR_ELEMENT[pg_type.name]))
    flat_cells = encode_text(array.flatten(), element, context).to_pylist()
    lengths = pc.fill_null(pc.list_value_length(array), 0).to_numpy()
    ends = np.cumsum(lengths)
    is_vector = pg_type.name in VECTOR_ELEMENT
    cells: list[bytes | None] = []
    for row, is_valid in enumerate(pc.is_valid(array).to_pylist()):
        items = flat_cells[ends[row] - lengths[row] : ends[row]]
        if not is_valid:
            cells.append(None)
        elif is_vector:
            cells.append(b" ".join(item or b"0" for item in items))
        else:
            cells.append(b"{" + b",".join(_array_item(item) for item in items) + b"}")
    return pa.array(cells, pa.binary())


_NEEDS_QUOTES = frozenset(b'{}",\\ \t\n\r\v\f')


def _array_item(item: bytes | None) -> bytes:
    if item is None:
        return b"NULL"
    if item == b"" or item.upper() == b"NULL" or any(byte in _NEEDS_QUOTES for byte in item):
        return b'"' + item.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return item


_ENCODERS: dict[str, Encoder] = {
    "bool": _bool_text,
    "float4": _float_text(6, pa.float32()),
    "float8": _float_text(15, pa.float64()),
    "numeric": _numeric_text,
    "bytea": _bytea_text,
    "date": _date_text,
    "time": _time_text,
    "timestamp": _timestamp_text,
    "timestamptz": _timestamptz_text,
    "interval": _interval_text,
    "uuid": _uuid_text,
    "jsonb": _json_text,
}
