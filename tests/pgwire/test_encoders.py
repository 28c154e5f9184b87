"""The column encoders on many random values, compared with what PostgreSQL 15 prints and
sends for the same values (fed to it as text)."""

from __future__ import annotations

import random
import struct
from decimal import Decimal

import psycopg
import pyarrow as pa
import pytest

from pgwire.encoding import data_rows
from pgwire.encoding.binary import encode_binary
from pgwire.encoding.data_rows import result_columns
from pgwire.encoding.text import TextContext, encode_text, format_interval
from pgwire.types.arrow import column_type
from pgwire.types.builtin import TYPES_BY_NAME, ColumnType
from tests.pgwire.reference import reference_dsn


@pytest.fixture(scope="module")
def postgres() -> psycopg.Connection:
    connection = psycopg.connect(reference_dsn(), autocommit=True)
    yield connection
    connection.close()


def _postgres_values(
    connection: psycopg.Connection, texts: list[str], sql_type: str, binary: bool
) -> list[bytes | None]:
    cursor = connection.cursor(binary=binary)
    cursor.execute(f"SELECT unnest(%s::text[])::{sql_type}", (texts,))
    result = cursor.pgresult
    assert result is not None
    return [result.get_value(row, 0) for row in range(result.ntuples)]


@pytest.mark.parametrize("precision,scale", [(15, 2), (18, 18), (10, 4), (5, 5), (38, 10), (38, 0)])
def test_numeric_text_and_binary(postgres: psycopg.Connection, precision: int, scale: int) -> None:
    generator = random.Random(precision * 100 + scale)
    values = [Decimal(0).scaleb(-scale)]
    for _ in range(500):
        unscaled = generator.randint(1 - 10**precision, 10**precision - 1)
        values.append(Decimal(unscaled // 10 ** generator.randint(0, precision)).scaleb(-scale))
    array = pa.array(values, pa.decimal128(precision, scale))
    column = column_type(pa.field("v", array.type))
    sql_type = f"numeric({precision},{scale})"
    texts = [str(value) for value in values]
    assert encode_text(array, column, TextContext()).to_pylist() == _postgres_values(
        postgres, texts, sql_type, binary=False
    )
    assert encode_binary(array, column).to_pylist() == _postgres_values(
        postgres, texts, sql_type, binary=True
    )


@pytest.mark.parametrize(
    "sql_type,arrow_type", [("float8", pa.float64()), ("float4", pa.float32())]
)
@pytest.mark.parametrize("extra_float_digits", [1, 3, 0, -2])
def test_float_text(
    postgres: psycopg.Connection, sql_type: str, arrow_type: pa.DataType, extra_float_digits: int
) -> None:
    generator = random.Random(7)
    values = [0.0, -0.0, 0.1, 1e15, 1e16, 1e-5, 1e22, float("nan"), float("inf"), -float("inf")]
    for _ in range(1500):
        values.append(struct.unpack("d", struct.pack("Q", generator.getrandbits(64)))[0])
        values.append(generator.random() * 10 ** generator.randint(-30, 30))
        values.append(float(generator.randint(-(10**18), 10**18)))
    array = pa.array(values, pa.float64()).cast(arrow_type, safe=False)
    postgres.execute(f"SET extra_float_digits = {extra_float_digits}")
    try:
        expected = _postgres_values(
            postgres, [repr(value) for value in array.to_pylist()], sql_type, binary=False
        )
    finally:
        postgres.execute("RESET extra_float_digits")
    context = TextContext(extra_float_digits=extra_float_digits)
    got = encode_text(array, ColumnType(TYPES_BY_NAME[sql_type]), context).to_pylist()
    assert got == expected


def test_interval_text(postgres: psycopg.Connection) -> None:
    generator = random.Random(11)
    cases = [(0, 0, 0), (14, 3, 3_723_000_001), (-14, -3, -3_723_000_001), (0, 1, -3_600_000_000)]
    for _ in range(300):
        cases.append(
            (
                generator.randint(-500, 500),
                generator.randint(-40, 40),
                generator.randint(-(10**11), 10**11),
            )
        )
    texts = [f"{m} mons {d} days {us} microseconds" for m, d, us in cases]
    expected = _postgres_values(postgres, texts, "interval", binary=False)
    assert [format_interval(m, d, us) for m, d, us in cases] == expected


def test_bytea_text_and_binary(postgres: psycopg.Connection) -> None:
    values = [b"", b"\x00\xff", bytes(range(256)), b"\\x"]
    array = pa.array(values, pa.binary())
    column = ColumnType(TYPES_BY_NAME["bytea"])
    texts = ["\\x" + value.hex() for value in values]
    assert encode_text(array, column, TextContext()).to_pylist() == _postgres_values(
        postgres, texts, "bytea", binary=False
    )
    assert encode_binary(array, column).to_pylist() == _postgres_values(
        postgres, texts, "bytea", binary=True
    )


ROWS = {
    "i": pa.array([1, None, -7, 2**40], pa.int64()),
    "s": pa.array(["a", "é ü", None, ""]),
    "d": pa.array(["region_1", "x", "x", None]).dictionary_encode(),
    "b": pa.array([True, False, None, True]),
    "n": pa.array([Decimal("1.50"), None, Decimal("-0.01"), Decimal("10")], pa.decimal128(9, 2)),
    "f": pa.array([0.1, None, float("inf"), -2.5]),
    "t": pa.array([0, 86_400_000_000, None, 1], pa.timestamp("us")),
}


def _data_rows(batch: pa.RecordBatch, formats: tuple[int, ...]) -> bytes:
    columns = result_columns(batch.schema, batch.schema.names, formats)
    return b"".join(bytes(chunk) for chunk in data_rows.encode_rows(batch, columns, TextContext()))


def _values(messages: bytes) -> list[list[bytes | None]]:
    """The column values of each DataRow message, as a client reads them."""
    rows, offset = [], 0
    while offset < len(messages):
        assert messages[offset : offset + 1] == b"D"
        (length,) = struct.unpack_from("!i", messages, offset + 1)
        (count,) = struct.unpack_from("!h", messages, offset + 5)
        position, row = offset + 7, []
        for _ in range(count):
            (size,) = struct.unpack_from("!i", messages, position)
            position += 4
            row.append(None if size < 0 else messages[position : position + size])
            position += max(size, 0)
        rows.append(row)
        offset += 1 + length
    return rows


def test_data_rows_carry_postgres_text_values() -> None:
    assert _values(_data_rows(pa.record_batch(ROWS), (0,))) == [
        [b"1", b"a", b"region_1", b"t", b"1.50", b"0.1", b"1970-01-01 00:00:00"],
        [None, "é ü".encode(), b"x", b"f", None, None, b"1970-01-02 00:00:00"],
        [b"-7", None, b"x", None, b"-0.01", b"Infinity", None],
        [b"1099511627776", b"", None, b"t", b"10.00", b"-2.5", b"1970-01-01 00:00:00.000001"],
    ]


@pytest.mark.parametrize("formats", [(0,), (1,), (0, 1, 0, 1, 0, 1, 0)])
def test_a_rows_bytes_do_not_depend_on_the_size_of_its_batch(formats: tuple[int, ...]) -> None:
    small = pa.record_batch(ROWS)
    large = pa.Table.from_batches([small] * 500).combine_chunks().to_batches()[0]
    assert _data_rows(large, formats) == _data_rows(small, formats) * 500
