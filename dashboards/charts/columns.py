"""What kind of values a result column holds, from its Arrow or DuckDB type.

Chart rules only care about a few kinds: numbers can be measured, times and dates can be
drawn as a continuous axis, text and booleans are categories.
"""

from __future__ import annotations

from enum import StrEnum

import duckdb
import pyarrow as pa


class ColumnKind(StrEnum):
    NUMBER = "number"
    TIMESTAMP = "timestamp"
    DATE = "date"
    TEXT = "text"
    BOOLEAN = "boolean"
    OTHER = "other"


TEMPORAL_KINDS = frozenset({ColumnKind.TIMESTAMP, ColumnKind.DATE})

_DUCKDB_KINDS: dict[str, ColumnKind] = {
    **dict.fromkeys(
        (
            "tinyint",
            "smallint",
            "integer",
            "bigint",
            "hugeint",
            "utinyint",
            "usmallint",
            "uinteger",
            "ubigint",
            "uhugeint",
            "float",
            "double",
            "decimal",
        ),
        ColumnKind.NUMBER,
    ),
    "timestamp": ColumnKind.TIMESTAMP,
    "timestamp with time zone": ColumnKind.TIMESTAMP,
    "timestamp_s": ColumnKind.TIMESTAMP,
    "timestamp_ms": ColumnKind.TIMESTAMP,
    "timestamp_ns": ColumnKind.TIMESTAMP,
    "date": ColumnKind.DATE,
    "varchar": ColumnKind.TEXT,
    "enum": ColumnKind.TEXT,
    "uuid": ColumnKind.TEXT,
    "boolean": ColumnKind.BOOLEAN,
}


def kind_of_duckdb(type_id: str) -> ColumnKind:
    """The kind of a DuckDB type, given its `DuckDBPyType.id` (``'decimal'``, ``'date'``)."""
    return _DUCKDB_KINDS.get(type_id, ColumnKind.OTHER)


def kind_of_arrow(data_type: pa.DataType) -> ColumnKind:
    """The kind of an Arrow type; dictionary types take their value type's kind."""
    if pa.types.is_dictionary(data_type):
        return kind_of_arrow(data_type.value_type)
    if pa.types.is_integer(data_type) or pa.types.is_floating(data_type):
        return ColumnKind.NUMBER
    if pa.types.is_decimal(data_type):
        return ColumnKind.NUMBER
    if pa.types.is_timestamp(data_type):
        return ColumnKind.TIMESTAMP
    if pa.types.is_date(data_type):
        return ColumnKind.DATE
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return ColumnKind.TEXT
    if pa.types.is_string_view(data_type):
        return ColumnKind.TEXT
    if pa.types.is_boolean(data_type):
        return ColumnKind.BOOLEAN
    return ColumnKind.OTHER


def read_columns(con: duckdb.DuckDBPyConnection, relation_sql: str) -> dict[str, ColumnKind]:
    """The columns of `relation_sql` (an already quoted name), in order, with their kinds."""
    relation = con.sql(f"SELECT * FROM {relation_sql}")
    return {
        name: kind_of_duckdb(str(column_type.id))
        for name, column_type in zip(relation.columns, relation.types, strict=True)
    }
