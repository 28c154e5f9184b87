"""Turn DuckDB's answer to a catalog query into what PostgreSQL would have sent.

Every field gets `{b"pg_type": b"<typname>"}` metadata and the Arrow type PostgreSQL's type
is carried in (oid → uint32, int2vector → list<int16>, …); reg* columns come back as the
names PostgreSQL prints for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from pgwire.catalog.lookups import Lookups
from pgwire.catalog.relations import ARROW_TYPES
from pgwire.types.arrow import PG_TYPE_METADATA_KEY

# PostgreSQL type of a result column whose origin the lineage could not tell.
FALLBACK_TYPES: list[tuple[Callable[[pa.DataType], bool], str]] = [
    (pa.types.is_boolean, "bool"),
    (lambda t: t == pa.int16() or t == pa.int8() or t == pa.uint8(), "int2"),
    (lambda t: t == pa.int32() or t == pa.uint16(), "int4"),
    (lambda t: t == pa.int64() or t == pa.uint64(), "int8"),
    (lambda t: t == pa.uint32(), "oid"),
    (lambda t: t == pa.float32(), "float4"),
    (pa.types.is_floating, "float8"),
    (pa.types.is_decimal, "numeric"),
    (pa.types.is_date, "date"),
    (lambda t: pa.types.is_timestamp(t) and t.tz is not None, "timestamptz"),
    (pa.types.is_timestamp, "timestamp"),
    (pa.types.is_binary, "bytea"),
]
LIST_FALLBACK_TYPES = {
    "int2": "_int2",
    "int4": "_int4",
    "int8": "_int8",
    "oid": "_oid",
    "bool": "_bool",
    "float4": "_float4",
    "float8": "_float8",
}


def fallback_type(arrow_type: pa.DataType) -> str:
    """The PostgreSQL type of a column known only by its Arrow type (strings are text)."""
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        element = fallback_type(arrow_type.value_type)
        return LIST_FALLBACK_TYPES.get(element, "_text")
    return next((name for test, name in FALLBACK_TYPES if test(arrow_type)), "text")


def _reg_outputs(lookups: Lookups) -> dict[str, Callable[[int | None], str | None]]:
    return {
        "regclass": lookups.regclass_out,
        "regtype": lookups.regtype_out,
        "regproc": lookups.regproc_out,
        "regprocedure": lookups.regprocedure_out,
        "regnamespace": lookups.regnamespace_out,
    }


def _convert(column: pa.ChunkedArray, pg_type: str, lookups: Lookups) -> pa.ChunkedArray | None:
    """`column` in the Arrow type that carries `pg_type`, or None if it cannot be."""
    reg_output = _reg_outputs(lookups).get(pg_type)
    if reg_output is not None:
        if pa.types.is_string(column.type):
            return column
        return pa.chunked_array(
            [pa.array([reg_output(v) for v in column.to_pylist()], pa.string())]
        )
    target = ARROW_TYPES.get(pg_type)
    if target is None or column.type == target:
        return column
    try:
        return pc.cast(column, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def to_pg_result(
    table: pa.Table, names: Sequence[str], types: Sequence[str | None] | None, lookups: Lookups
) -> pa.Table:
    """Rename, retype and label DuckDB's result columns as PostgreSQL's."""
    fields, columns = [], []
    for index, column in enumerate(table.columns):
        pg_type = types[index] if types and index < len(types) else None
        converted = _convert(column, pg_type, lookups) if pg_type else None
        if pg_type is None or converted is None:
            pg_type, converted = fallback_type(column.type), column
        fields.append(
            pa.field(
                names[index], converted.type, metadata={PG_TYPE_METADATA_KEY: pg_type.encode()}
            )
        )
        columns.append(converted)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))
