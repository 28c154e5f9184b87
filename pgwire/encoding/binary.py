"""Binary-format encoders (the `*send` functions of PostgreSQL): one Arrow column in, one
binary array of cells out. Fixed-width types are converted with numpy in one pass;
numeric is vectorised for decimals of up to 18 digits; arrays go value by value over
vectorised element cells.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pgwire.encoding.arrow_storage import plain_array
from pgwire.encoding.text import TextContext, encode_text
from pgwire.encoding.value_arrays import as_binary, fixed_width_cells, per_value, validity_buffer
from pgwire.protocol.errors import FeatureNotSupported
from pgwire.types.builtin import BINARY_IS_TEXT, OID_LIKE, VECTOR_ELEMENT, ColumnType, type_named

_POSTGRES_EPOCH_DAYS = 10957  # 2000-01-01 minus 1970-01-01
_POSTGRES_EPOCH_MICROS = _POSTGRES_EPOCH_DAYS * 86_400_000_000
_INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1

Encoder = Callable[[pa.Array], pa.Array]


def encode_binary(array: pa.Array, column: ColumnType) -> pa.Array:
    """Binary cells of `array` as PostgreSQL's send function of `column`'s type writes them.

    Raises FeatureNotSupported for a type without a binary form here.
    """
    array = plain_array(array)
    pg_type = column.pg_type
    if pg_type.is_array or pg_type.name in VECTOR_ELEMENT:
        return _array_binary(array, column)
    if pg_type.name in OID_LIKE:
        return _oid_binary(array)
    if pg_type.name in BINARY_IS_TEXT:
        return encode_text(array, column, TextContext())
    encoder = _ENCODERS.get(pg_type.name)
    if encoder is None:
        raise FeatureNotSupported(f"binary format of type {pg_type.name} is not supported")
    return encoder(array)


def _numbers(arrow_type: pa.DataType, wire_dtype: str) -> Encoder:
    def encode(array: pa.Array) -> pa.Array:
        values = array if array.type == arrow_type else pc.cast(array, arrow_type)
        filled = pc.fill_null(values, 0) if values.null_count else values
        data = filled.to_numpy(zero_copy_only=False).astype(wire_dtype)
        return fixed_width_cells(data.view(np.uint8), data.itemsize, array)

    return encode


def _bool_binary(array: pa.Array) -> pa.Array:
    return _numbers(pa.uint8(), "u1")(pc.cast(array, pa.bool_()))


def _oid_binary(array: pa.Array) -> pa.Array:
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        raise FeatureNotSupported("binary format of an object name column is not supported")
    return _numbers(pa.int64(), ">u4")(array)


def _bytea_binary(array: pa.Array) -> pa.Array:
    return as_binary(array)


def _jsonb_binary(array: pa.Array) -> pa.Array:
    text = encode_text(array, ColumnType(type_named("json")), TextContext())
    return pc.binary_join_element_wise(pa.scalar(b"\x01"), text, b"")


def _date_binary(array: pa.Array) -> pa.Array:
    days = pc.cast(array, pa.date32()).view(pa.int32())
    raw = pc.fill_null(days, 0).to_numpy().astype(np.int64)
    shifted = np.where(
        raw >= _INT32_MAX,
        _INT32_MAX,
        np.where(raw <= -_INT32_MAX, -_INT32_MAX - 1, raw - _POSTGRES_EPOCH_DAYS),
    ).astype(">i4")
    return fixed_width_cells(shifted.view(np.uint8), 4, array)


def _micros_since_2000(array: pa.Array) -> pa.Array:
    if pa.types.is_timestamp(array.type):
        unit_type = pa.timestamp("us", tz=array.type.tz)
        micros = pc.cast(array, unit_type, safe=False).view(pa.int64())
    else:
        micros = pc.cast(pc.cast(array, pa.timestamp("us"), safe=False), pa.int64())
    raw = pc.fill_null(micros, 0).to_numpy()
    infinite_high, infinite_low = raw >= _INT64_MAX, raw <= -_INT64_MAX
    shifted = np.where(infinite_high | infinite_low, 0, raw) - _POSTGRES_EPOCH_MICROS
    shifted = np.where(infinite_high, _INT64_MAX, shifted)
    shifted = np.where(infinite_low, -_INT64_MAX - 1, shifted).astype(">i8")
    return fixed_width_cells(shifted.view(np.uint8), 8, array)


def _time_binary(array: pa.Array) -> pa.Array:
    micros = pc.cast(pc.cast(array, pa.time64("us"), safe=False), pa.int64())
    return _numbers(pa.int64(), ">i8")(micros)


def _interval_binary(array: pa.Array) -> pa.Array:
    layout = np.dtype([("micros", ">i8"), ("days", ">i4"), ("months", ">i4")])
    if pa.types.is_duration(array.type):
        micros = pc.fill_null(pc.cast(array, pa.duration("us"), safe=False).view(pa.int64()), 0)
        packed = np.zeros(len(array), dtype=layout)
        packed["micros"] = micros.to_numpy()
    else:
        values = array.to_pylist()
        packed = np.array(
            [
                (0, 0, 0) if item is None else (item.nanoseconds // 1000, item.days, item.months)
                for item in values
            ],
            dtype=layout,
        )
    return fixed_width_cells(packed.view(np.uint8), 16, array)


def _uuid_binary(array: pa.Array) -> pa.Array:
    if pa.types.is_fixed_size_binary(array.type):
        return as_binary(pc.cast(array, pa.binary()))
    return per_value(array, lambda item: uuid.UUID(item).bytes)


def _numeric_binary(array: pa.Array) -> pa.Array:
    if pa.types.is_decimal128(array.type) and array.type.precision <= 18:
        return _small_decimal_binary(array)
    if pa.types.is_floating(array.type):
        return per_value(array, lambda item: numeric_send(Decimal(repr(item))))
    if pa.types.is_integer(array.type):
        return per_value(array, lambda item: numeric_send(Decimal(item)))
    scale = array.type.scale if pa.types.is_decimal(array.type) else None
    return per_value(array, lambda item: numeric_send(item, scale))


def numeric_send(value: Decimal, scale: int | None = None) -> bytes:
    """One numeric in PostgreSQL's binary form: base-10000 digits without leading or
    trailing zero groups, the weight of the first group, sign and display scale (the
    column's `scale` when given, else the value's own)."""
    if value.is_nan():
        return struct.pack("!hhHh", 0, 0, 0xC000, 0)
    if value.is_infinite():
        return struct.pack("!hhHh", 0, 0, 0xD000 if value > 0 else 0xF000, 0)
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    scale = max(0, -exponent) if scale is None else scale
    aligned_exponent = exponent - exponent % 4
    number = int("".join(map(str, digits)) or "0") * 10 ** (exponent - aligned_exponent)
    groups: list[int] = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    groups.reverse()
    weight = len(groups) - 1 + aligned_exponent // 4 if groups else 0
    while groups and groups[-1] == 0:
        groups.pop()
    header = struct.pack("!hhHh", len(groups), weight, 0x4000 if sign and groups else 0, scale)
    return header + struct.pack(f"!{len(groups)}h", *groups)


def _small_decimal_binary(array: pa.Array) -> pa.Array:
    """Decimals of at most 18 digits: the unscaled value fits in int64, so the base-10000
    digits of every row are computed together as a (rows x groups) matrix; a mask then
    keeps each row's header and its digits from the first to the last non-zero group."""
    precision, scale = array.type.precision, array.type.scale
    count = len(array)
    raw = np.frombuffer(array.buffers()[1], dtype="<i8")[
        2 * array.offset : 2 * (array.offset + count) : 2
    ]
    if array.null_count:
        raw = np.where(pc.is_valid(array).to_numpy(zero_copy_only=False), raw, 0)
    magnitude = np.abs(raw)
    whole_groups = max(1, -(-(precision - scale) // 4))
    fraction_groups = -(-scale // 4)
    whole_part, fraction_part = np.divmod(magnitude, 10**scale)
    width = whole_groups + fraction_groups
    groups = np.empty((count, width), dtype=np.int64)
    for index in range(whole_groups - 1, -1, -1):
        whole_part, groups[:, index] = np.divmod(whole_part, 10000)
    # the last fraction group holds scale % 4 digits padded with zeros on the right
    # (padding before dividing could overflow int64)
    tail_digits = scale - 4 * (fraction_groups - 1)
    for index in range(width - 1, whole_groups - 1, -1):
        if index == width - 1:
            fraction_part, tail = np.divmod(fraction_part, 10**tail_digits)
            groups[:, index] = tail * 10 ** (4 - tail_digits)
        else:
            fraction_part, groups[:, index] = np.divmod(fraction_part, 10000)
    nonzero = groups != 0
    has_digits = nonzero.any(axis=1)
    first = np.where(has_digits, nonzero.argmax(axis=1), 0)
    last = np.where(has_digits, width - 1 - nonzero[:, ::-1].argmax(axis=1), -1)
    ndigits = np.where(has_digits, last - first + 1, 0)
    table = np.empty((count, 4 + width), dtype=">i2")
    table[:, 0] = ndigits
    table[:, 1] = np.where(has_digits, whole_groups - 1 - first, 0)
    table[:, 2] = np.where((raw < 0) & has_digits, 0x4000, 0).astype(np.uint16).view(np.int16)
    table[:, 3] = scale
    table[:, 4:] = groups
    columns = np.arange(width)[None, :]
    keep = np.empty((count, 4 + width), dtype=bool)
    keep[:, :4] = True
    keep[:, 4:] = (columns >= first[:, None]) & (columns <= last[:, None])
    offsets = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(8 + 2 * ndigits, out=offsets[1:])
    return pa.Array.from_buffers(
        pa.binary(),
        count,
        [validity_buffer(array), pa.py_buffer(offsets), pa.py_buffer(table[keep].view(np.uint8))],
    )


def _array_binary(array: pa.Array, column: ColumnType) -> pa.Array:
    pg_type = column.pg_type
    element_name = pg_type.element or VECTOR_ELEMENT[pg_type.name]
    element = ColumnType(type_named(element_name))
    lower_bound = 0 if pg_type.name in VECTOR_ELEMENT else 1
    flat_cells = encode_binary(array.flatten(), element).to_pylist()
    lengths = pc.fill_null(pc.list_value_length(array), 0).to_numpy()
    ends = np.cumsum(lengths)
    header = struct.Struct("!iiIii")
    cells: list[bytes | None] = []
    for row, is_valid in enumerate(pc.is_valid(array).to_pylist()):
        if not is_valid:
            cells.append(None)
            continue
        items = flat_cells[ends[row] - lengths[row] : ends[row]]
        if not items and pg_type.name not in VECTOR_ELEMENT:
            cells.append(struct.pack("!iiI", 0, 0, element.pg_type.oid))
            continue
        has_null = any(item is None for item in items)
        body = b"".join(
            b"\xff\xff\xff\xff" if item is None else struct.pack("!i", len(item)) + item
            for item in items
        )
        cells.append(
            header.pack(1, int(has_null), element.pg_type.oid, len(items), lower_bound) + body
        )
    return pa.array(cells, pa.binary())


_ENCODERS: dict[str, Encoder] = {
    "bool": _bool_binary,
    "int2": _numbers(pa.int16(), ">i2"),
    "int4": _numbers(pa.int32(), ">i4"),
    "int8": _numbers(pa.int64(), ">i8"),
    "float4": _numbers(pa.float32(), ">f4"),
    "float8": _numbers(pa.float64(), ">f8"),
    "numeric": _numeric_binary,
    "bytea": _bytea_binary,
    "date": _date_binary,
    "time": _time_binary,
    "timestamp": _micros_since_2000,
    "timestamptz": _micros_since_2000,
    "interval": _interval_binary,
    "uuid": _uuid_binary,
    "jsonb": _jsonb_binary,
}
