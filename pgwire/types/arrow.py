"""The PostgreSQL type a client sees in RowDescription for an Arrow field.

A field may name its PostgreSQL type in metadata `b"pg_type"` (e.g. `oid`, `name`,
`regproc`, `_text`); the catalog emulation relies on that. Otherwise the Arrow type
decides.
"""

from __future__ import annotations

import pyarrow as pa

from pgwire.types.builtin import (
    TYPE_ALIASES,
    TYPES_BY_NAME,
    VECTOR_ELEMENT,
    ColumnType,
    numeric_typmod,
    type_named,
)

PG_TYPE_METADATA_KEY = b"pg_type"


def _list_column_type(value_type: pa.DataType) -> ColumnType:
    element = _arrow_column_type(value_type).pg_type
    if element.is_array or not element.array_oid or element.name in VECTOR_ELEMENT:
        return ColumnType(TYPES_BY_NAME["json"])
    return ColumnType(TYPES_BY_NAME["_" + element.name])


def _arrow_column_type(arrow_type: pa.DataType) -> ColumnType:
    if isinstance(arrow_type, pa.ExtensionType):
        return _extension_column_type(arrow_type)
    if pa.types.is_dictionary(arrow_type):
        return _arrow_column_type(arrow_type.value_type)
    if pa.types.is_decimal(arrow_type):
        return ColumnType(
            TYPES_BY_NAME["numeric"], numeric_typmod(arrow_type.precision, arrow_type.scale)
        )
    if pa.types.is_timestamp(arrow_type):
        return ColumnType(TYPES_BY_NAME["timestamptz" if arrow_type.tz else "timestamp"])
    if (
        pa.types.is_list(arrow_type)
        or pa.types.is_large_list(arrow_type)
        or pa.types.is_fixed_size_list(arrow_type)
    ):
        return _list_column_type(arrow_type.value_type)
    for predicate, name in _PREDICATES:
        if predicate(arrow_type):
            return ColumnType(TYPES_BY_NAME[name])
    return ColumnType(TYPES_BY_NAME["text"])


def _extension_column_type(arrow_type: pa.ExtensionType) -> ColumnType:
    name = {"arrow.uuid": "uuid", "arrow.json": "json"}.get(arrow_type.extension_name)
    if name:
        return ColumnType(TYPES_BY_NAME[name])
    if getattr(arrow_type, "type_name", "") == "hugeint":
        return ColumnType(TYPES_BY_NAME["numeric"])
    return _arrow_column_type(arrow_type.storage_type)


_PREDICATES = (
    (pa.types.is_boolean, "bool"),
    (lambda t: t in (pa.int8(), pa.int16(), pa.uint8()), "int2"),
    (lambda t: t in (pa.int32(), pa.uint16()), "int4"),
    (lambda t: t in (pa.int64(), pa.uint32()), "int8"),
    (lambda t: t == pa.uint64(), "numeric"),
    (lambda t: t in (pa.float16(), pa.float32()), "float4"),
    (lambda t: t == pa.float64(), "float8"),
    (pa.types.is_string, "text"),
    (pa.types.is_large_string, "text"),
    (pa.types.is_string_view, "text"),
    (pa.types.is_binary, "bytea"),
    (pa.types.is_large_binary, "bytea"),
    (pa.types.is_binary_view, "bytea"),
    (pa.types.is_fixed_size_binary, "bytea"),
    (pa.types.is_date, "date"),
    (pa.types.is_time, "time"),
    (pa.types.is_duration, "interval"),
    (pa.types.is_interval, "interval"),
    (pa.types.is_struct, "json"),
    (pa.types.is_map, "json"),
    (pa.types.is_null, "text"),
)


def column_type(field: pa.Field) -> ColumnType:
    """The PostgreSQL type of a result column: `pg_type` metadata first, else by Arrow type.

    Raises KeyError when the metadata names a type that is not in the type table.
    """
    metadata = field.metadata or {}
    named = metadata.get(PG_TYPE_METADATA_KEY)
    if named:
        pg_type = type_named(named.decode())
        typmod = metadata.get(b"pg_typmod")
        return ColumnType(pg_type, int(typmod) if typmod else -1)
    return _arrow_column_type(field.type)


_STRING_DECLARABLE = frozenset({"uuid", "json", "jsonb", "varchar", "bpchar", "name", "char"})


def with_declared_types(schema: pa.Schema, declared: list[str | None]) -> pa.Schema:
    """`schema` with `pg_type` metadata on string columns whose SQL cast names a type the
    engine stores as a string (uuid, json, jsonb, varchar, …)."""
    fields = []
    for field, name in zip(schema, declared, strict=True):
        base = (name or "").split("(")[0].strip()
        base = TYPE_ALIASES.get(base, base)
        is_string = pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
        if (
            base in _STRING_DECLARABLE
            and is_string
            and not (field.metadata or {}).get(PG_TYPE_METADATA_KEY)
        ):
            metadata = {**(field.metadata or {}), PG_TYPE_METADATA_KEY: base.encode()}
            field = field.with_metadata(metadata)
        fields.append(field)
    return pa.schema(fields, metadata=schema.metadata)
