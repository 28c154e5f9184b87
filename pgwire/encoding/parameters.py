"""Bind message values, sent in text or binary format, decoded into typed SQL literals
(which `pgwire.sql.parameters.bind` puts in place of `$n`)."""

from __future__ import annotations

import datetime as dt
import math
import struct
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal

from sqlglot import exp

from pgwire.encoding.text import format_interval
from pgwire.protocol.errors import (
    InvalidBinaryRepresentation,
    InvalidTextRepresentation,
    ProtocolViolation,
)
from pgwire.types.builtin import TYPES_BY_NAME, TYPES_BY_OID, PgType

_EPOCH_2000 = dt.datetime(2000, 1, 1)
_DATE_2000 = dt.date(2000, 1, 1)
SQL_TYPES = {
    "bool": "BOOLEAN",
    "int2": "SMALLINT",
    "int4": "INT",
    "int8": "BIGINT",
    "oid": "BIGINT",
    "float4": "REAL",
    "float8": "DOUBLE PRECISION",
    "numeric": "NUMERIC",
    "date": "DATE",
    "time": "TIME",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "interval": "INTERVAL",
    "uuid": "UUID",
    "json": "JSON",
    "jsonb": "JSONB",
    "bytea": "BYTEA",
    "text": "TEXT",
    "varchar": "VARCHAR",
    "bpchar": "TEXT",
    "name": "TEXT",
}
_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "name", "unknown", "char"})
_INTEGERS = frozenset({"int2", "int4", "int8", "oid"})


def null_literal(pg_type: PgType) -> exp.Expression:
    """A NULL of `pg_type` (stands in for a parameter when describing a statement)."""
    sql_type = SQL_TYPES.get(pg_type.name, "TEXT")
    return exp.cast(exp.Null(), exp.DataType.build(sql_type, dialect="postgres"))


def _typed(text: str, pg_type: PgType) -> exp.Expression:
    return exp.cast(
        exp.Literal.string(text), exp.DataType.build(SQL_TYPES[pg_type.name], dialect="postgres")
    )


def _number(text: str) -> exp.Expression:
    if text.startswith("-"):
        return exp.Neg(this=exp.Literal.number(text[1:]))
    return exp.Literal.number(text)


def _from_text(text: str, pg_type: PgType) -> exp.Expression:
    if pg_type.name in _TEXT_TYPES or pg_type.name not in SQL_TYPES:
        return exp.Literal.string(text)
    try:
        if pg_type.name in _INTEGERS:
            return _number(str(int(text.strip())))
        if pg_type.name in ("float4", "float8", "numeric"):
            value = Decimal(text.strip())
            return _number(str(value)) if value.is_finite() else _typed(text.strip(), pg_type)
    except (ValueError, ArithmeticError) as error:
        raise InvalidTextRepresentation(
            f'invalid input syntax for type {pg_type.name}: "{text}"'
        ) from error
    if pg_type.name == "bool":
        return exp.Boolean(this=text.strip().lower() in ("t", "true", "y", "yes", "on", "1"))
    return _typed(text, pg_type)


def _unpack(fmt: str) -> Callable[[bytes], float | int]:
    layout = struct.Struct(fmt)

    def decode(raw: bytes) -> float | int:
        if len(raw) != layout.size:
            raise InvalidBinaryRepresentation("incorrect binary data format in bind parameter")
        return layout.unpack(raw)[0]  # type: ignore[no-any-return]

    return decode


def _float_literal(value: float, pg_type: PgType) -> exp.Expression:
    if math.isnan(value) or math.isinf(value):
        text = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return _typed(text, pg_type)
    return _number(repr(value))


def numeric_recv(raw: bytes) -> Decimal:
    """A numeric from PostgreSQL's binary form."""
    if len(raw) < 8:
        raise InvalidBinaryRepresentation("invalid numeric binary value")
    count, weight, sign, scale = struct.unpack_from("!hhHh", raw)
    if sign == 0xC000:
        return Decimal("NaN")
    if sign in (0xD000, 0xF000):
        return Decimal("Infinity") if sign == 0xD000 else Decimal("-Infinity")
    digits = struct.unpack_from(f"!{count}h", raw, 8)
    value = Decimal(0)
    for index, digit in enumerate(digits):
        value += Decimal(digit).scaleb(4 * (weight - index))
    value = value.quantize(Decimal(1).scaleb(-scale)) if count else Decimal(0).scaleb(-scale)
    return -value if sign == 0x4000 else value


def _decode_binary(raw: bytes, pg_type: PgType) -> exp.Expression:
    name = pg_type.name
    if name in _TEXT_TYPES or name == "json" or (name not in SQL_TYPES and not pg_type.is_array):
        return exp.Literal.string(raw.decode("utf-8"))
    decoder = _BINARY_DECODERS.get(name)
    if decoder is None:
        if pg_type.is_array:
            return _array_literal(raw, pg_type)
        raise InvalidBinaryRepresentation(f"binary parameters of type {name} are not supported")
    return decoder(raw, pg_type)


def _array_literal(raw: bytes, pg_type: PgType) -> exp.Expression:
    dimensions, _, element_oid = struct.unpack_from("!iiI", raw)
    element = TYPES_BY_OID.get(element_oid, TYPES_BY_NAME[pg_type.element])
    if dimensions == 0:
        return exp.cast(
            exp.Array(expressions=[]),
            exp.DataType.build(f"{SQL_TYPES.get(element.name, 'TEXT')}[]"),
        )
    if dimensions != 1:
        raise InvalidBinaryRepresentation("only one-dimensional array parameters are supported")
    count, _ = struct.unpack_from("!ii", raw, 12)
    offset = 20
    items: list[exp.Expression] = []
    for _ in range(count):
        (length,) = struct.unpack_from("!i", raw, offset)
        offset += 4
        if length < 0:
            items.append(exp.Null())
            continue
        items.append(_decode_binary(raw[offset : offset + length], element))
        offset += length
    return exp.Array(expressions=items)


def _interval_text(raw: bytes) -> str:
    if len(raw) != 16:
        raise InvalidBinaryRepresentation("invalid interval binary value")
    micros, days, months = struct.unpack("!qii", raw)
    return format_interval(months, days, micros).decode()


def _timestamp_text(micros: int) -> str:
    return (_EPOCH_2000 + dt.timedelta(microseconds=micros)).isoformat(sep=" ")


_BINARY_DECODERS: dict[str, Callable[[bytes, PgType], exp.Expression]] = {
    "bool": lambda raw, t: exp.Boolean(this=raw != b"\x00"),
    "int2": lambda raw, t: _number(str(_unpack("!h")(raw))),
    "int4": lambda raw, t: _number(str(_unpack("!i")(raw))),
    "int8": lambda raw, t: _number(str(_unpack("!q")(raw))),
    "oid": lambda raw, t: _number(str(_unpack("!I")(raw))),
    "float4": lambda raw, t: _float_literal(float(_unpack("!f")(raw)), t),
    "float8": lambda raw, t: _float_literal(float(_unpack("!d")(raw)), t),
    "numeric": lambda raw, t: _from_text(str(numeric_recv(raw)), t),
    "bytea": lambda raw, t: _typed("\\x" + raw.hex(), t),
    "date": lambda raw, t: _typed(
        (_DATE_2000 + dt.timedelta(days=int(_unpack("!i")(raw)))).isoformat(), t
    ),
    "time": lambda raw, t: _typed(
        (dt.datetime.min + dt.timedelta(microseconds=int(_unpack("!q")(raw)))).time().isoformat(), t
    ),
    "timestamp": lambda raw, t: _typed(_timestamp_text(int(_unpack("!q")(raw))), t),
    "timestamptz": lambda raw, t: _typed(_timestamp_text(int(_unpack("!q")(raw))) + "+00", t),
    "interval": lambda raw, t: _typed(_interval_text(raw), t),
    "uuid": lambda raw, t: _typed(str(uuid.UUID(bytes=raw)), t),
    "jsonb": lambda raw, t: _typed(raw[1:].decode("utf-8"), t),
}


def decode_parameters(
    params: Sequence[bytes | None], formats: Sequence[int], types: Sequence[PgType]
) -> list[exp.Expression]:
    """One SQL literal per Bind parameter. Raises ProtocolViolation when the counts do not
    match, InvalidTextRepresentation/InvalidBinaryRepresentation for bad values."""
    if len(formats) not in (0, 1, len(params)):
        raise ProtocolViolation(
            f"bind message has {len(formats)} parameter formats but {len(params)} parameters"
        )
    literals: list[exp.Expression] = []
    for index, raw in enumerate(params):
        fmt = formats[0] if len(formats) == 1 else (formats[index] if formats else 0)
        pg_type = types[index] if index < len(types) else TYPES_BY_NAME["text"]
        if raw is None:
            literals.append(exp.Null())
        elif fmt == 1:
            literals.append(_decode_binary(raw, pg_type))
        else:
            literals.append(_from_text(raw.decode("utf-8"), pg_type))
    return literals
