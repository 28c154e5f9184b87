"""Every supported type, in text and in binary format, against PostgreSQL 15: the same
`SELECT <literal>::<type>` goes to both servers and the column's type OID, typmod and the
raw value bytes must be identical."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.pq import Format

from tests.pgwire.conftest import RunningServer
from tests.pgwire.reference import reference_dsn

LITERALS = [
    "true",
    "false",
    "(-32768)::int2",
    "2147483647::int4",
    "(-9223372036854775807)::int8",
    "0::int4",
    "1.5::float4",
    "(-0.1)::float4",
    "'NaN'::float4",
    "'Infinity'::float4",
    "3.4028235e38::float4",
    "0.1::float8",
    "1e20::float8",
    "'-Infinity'::float8",
    "1.7976931348623157e308::float8",
    "(-0.0)::float8",
    "123456789012345678::float8",
    "0.0001::float8",
    "1e-5::float8",
    "12345.6789::numeric(10,4)",
    "(-0.001)::numeric(6,3)",
    "0::numeric(5,2)",
    "99999999999999.99::numeric(16,2)",
    "1.5::numeric(38,10)",
    "(-123456789.123)::numeric(20,3)",
    "'hello'::text",
    "''::text",
    "'a\"b,c {x}'::text",
    "'grüße'::varchar",
    "'2024-02-29'::date",
    "'0001-01-01'::date",
    "'9999-12-31'::date",
    "'infinity'::date",
    "'13:14:15.123456'::time",
    "'00:00:00'::time",
    "'23:59:59.5'::time",
    "'2024-01-02 03:04:05.5'::timestamp",
    "'1999-12-31 23:59:59'::timestamp",
    "'1970-01-01 00:00:00.000001'::timestamp",
    "'infinity'::timestamp",
    "'2024-01-02 03:04:05+02'::timestamptz",
    "'2024-07-01 12:00:00.25+00'::timestamptz",
    "'1 year 2 mons 3 days 04:05:06.7'::interval",
    "'-1 days'::interval",
    "'00:00:00'::interval",
    "'1 day -01:00:00'::interval",
    "'-2 years -3 mons'::interval",
    "'550e8400-e29b-41d4-a716-446655440000'::uuid",
    "'{\"a\": [1, 2]}'::json",
    "'{\"a\": [1, 2]}'::jsonb",
    "ARRAY[1, 2, NULL]::int4[]",
    "ARRAY['a', 'b c', '', 'NULL', 'q\"t']::text[]",
    "ARRAY[1.5, 2.25]::float8[]",
    "ARRAY[true, false]::bool[]",
    "ARRAY[10, 20]::int8[]",
    "ARRAY['2024-01-01']::date[]",
]
# DuckDB has one string type; PostgreSQL tells text and varchar apart.
EQUIVALENT_OIDS = {1043: 25, 1015: 1009}
FORMATS = [Format.TEXT, Format.BINARY]


def _fetch(connection: psycopg.Connection, sql: str, fmt: Format) -> tuple[int, int, bytes | None]:
    cursor = connection.cursor(binary=fmt == Format.BINARY)
    cursor.execute(sql)
    result = cursor.pgresult
    assert result is not None
    return (
        EQUIVALENT_OIDS.get(result.ftype(0), result.ftype(0)),
        result.fmod(0),
        result.get_value(0, 0),
    )


@pytest.fixture(scope="module")
def connections(wire: RunningServer):  # type: ignore[no-untyped-def]
    ours = psycopg.connect(wire.dsn(), autocommit=True)
    theirs = psycopg.connect(reference_dsn(), autocommit=True)
    for connection in (ours, theirs):
        connection.execute("SET TimeZone = 'Europe/Berlin'")
    yield ours, theirs
    ours.close()
    theirs.close()


@pytest.mark.parametrize("fmt", FORMATS, ids=["text", "binary"])
@pytest.mark.parametrize("literal", LITERALS)
def test_value_matches_postgres(connections, literal: str, fmt: Format) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = connections
    sql = f"SELECT {literal} AS v"
    assert _fetch(ours, sql, fmt) == _fetch(theirs, sql, fmt)


@pytest.mark.parametrize("fmt", FORMATS, ids=["text", "binary"])
def test_null_matches_postgres(connections, fmt: Format) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = connections
    assert _fetch(ours, "SELECT NULL::int4 AS v", fmt) == _fetch(
        theirs, "SELECT NULL::int4 AS v", fmt
    )


@pytest.mark.parametrize("fmt", FORMATS, ids=["text", "binary"])
def test_bytea_matches_postgres(connections, fmt: Format) -> None:  # type: ignore[no-untyped-def]
    """sqlglot does not carry PostgreSQL's hex bytea literal over to DuckDB, so the same
    bytes are produced with each engine's own spelling."""
    ours, theirs = connections
    expected = _fetch(theirs, "SELECT '\\x00ff105c'::bytea AS v", fmt)
    assert _fetch(ours, "SELECT blob FROM kinds", fmt) == expected


def test_every_duckdb_type_reads_the_same_in_text_and_binary(wire: RunningServer) -> None:
    """Types PostgreSQL lacks are mapped to one it has; whichever format the client asks
    for, it decodes the same values."""
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        text_row = connection.execute("SELECT * FROM zoo").fetchone()
        binary_row = connection.cursor(binary=True).execute("SELECT * FROM zoo").fetchone()
    assert text_row == binary_row
    assert text_row is not None and text_row[4] == 18446744073709551615
