"""PostgreSQL types: the built-in type table (real OIDs, typlen) and the mapping from an
Arrow field to the PostgreSQL type a client sees in RowDescription.

A field may name its PostgreSQL type in metadata `b"pg_type"` (e.g. `oid`, `name`,
`regproc`, `_text`); the catalog emulation relies on that. Otherwise the Arrow type
decides. `canonical_array` casts a column to the one Arrow storage the encoders of its
PostgreSQL type expect.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

PG_TYPE_METADATA_KEY = b"pg_type"


@dataclass(frozen=True)
class PgType:
    name: str
    oid: int
    typlen: int
    array_oid: int = 0
    element: str = ""  # element type name when this is an array type

    @property
    def is_array(self) -> bool:
        return bool(self.element)


@dataclass(frozen=True)
class ColumnType:
    """The PostgreSQL type of one result column."""

    pg_type: PgType
    typmod: int = -1


# name, oid, typlen, array oid
_BASE_TYPES: tuple[tuple[str, int, int, int], ...] = (
    ("bool", 16, 1, 1000),
    ("bytea", 17, -1, 1001),
    ("char", 18, 1, 1002),
    ("name", 19, 64, 1003),
    ("int8", 20, 8, 1016),
    ("int2", 21, 2, 1005),
    ("int2vector", 22, -1, 1006),
    ("int4", 23, 4, 1007),
    ("regproc", 24, 4, 1008),
    ("text", 25, -1, 1009),
    ("oid", 26, 4, 1028),
    ("tid", 27, 6, 1010),
    ("xid", 28, 4, 1011),
    ("cid", 29, 4, 1012),
    ("oidvector", 30, -1, 1013),
    ("pg_node_tree", 194, -1, 0),
    ("json", 114, -1, 199),
    ("xml", 142, -1, 143),
    ("float4", 700, 4, 1021),
    ("float8", 701, 8, 1022),
    ("unknown", 705, -2, 0),
    ("money", 790, 8, 791),
    ("inet", 869, -1, 1041),
    ("aclitem", 1033, 12, 1034),
    ("bpchar", 1042, -1, 1014),
    ("varchar", 1043, -1, 1015),
    ("date", 1082, 4, 1182),
    ("time", 1083, 8, 1183),
    ("timestamp", 1114, 8, 1115),
    ("timestamptz", 1184, 8, 1185),
    ("interval", 1186, 16, 1187),
    ("timetz", 1266, 12, 1270),
    ("bit", 1560, -1, 1561),
    ("varbit", 1562, -1, 1563),
    ("numeric", 1700, -1, 1231),
    ("regprocedure", 2202, 4, 2207),
    ("regoper", 2203, 4, 2208),
    ("regoperator", 2204, 4, 2209),
    ("regclass", 2205, 4, 2210),
    ("regtype", 2206, 4, 2211),
    ("record", 2249, -1, 2287),
    ("cstring", 2275, -2, 1263),
    ("any", 2276, 4, 0),
    ("anyarray", 2277, -1, 0),
    ("void", 2278, 4, 0),
    ("uuid", 2950, 16, 2951),
    ("pg_lsn", 3220, 8, 3221),
    ("jsonb", 3802, -1, 3807),
    ("regnamespace", 4089, 4, 4090),
    ("regrole", 4096, 4, 4097),
)


def _build_registry() -> dict[str, PgType]:
    registry: dict[str, PgType] = {}
    for name, oid, typlen, array_oid in _BASE_TYPES:
        registry[name] = PgType(name, oid, typlen, array_oid)
        if array_oid:
            registry["_" + name] = PgType("_" + name, array_oid, -1, 0, element=name)
    return registry


TYPES_BY_NAME: dict[str, PgType] = _build_registry()
TYPES_BY_OID: dict[int, PgType] = {pg_type.oid: pg_type for pg_type in TYPES_BY_NAME.values()}

# SQL spellings a client may use in casts, mapped to the type name
TYPE_ALIASES: dict[str, str] = {
    "boolean": "bool",
    "smallint": "int2",
    "integer": "int4",
    "int": "int4",
    "bigint": "int8",
    "real": "float4",
    "double precision": "float8",
    "decimal": "numeric",
    "character varying": "varchar",
    "character": "bpchar",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
}

# PostgreSQL types whose values are identifiers of other objects (stored as unsigned 32-bit)
OID_LIKE = frozenset(
    {
        "oid",
        "regproc",
        "regprocedure",
        "regoper",
        "regoperator",
        "regclass",
        "regtype",
        "regnamespace",
        "regrole",
        "xid",
        "cid",
    }
)
# PostgreSQL types whose text form a string column holds as is
TEXT_LIKE = frozenset(
    {
        "text",
        "varchar",
        "bpchar",
        "name",
        "char",
        "json",
        "xml",
        "pg_node_tree",
        "unknown",
        "aclitem",
        "cstring",
        "bit",
        "varbit",
        "money",
        "tid",
        "inet",
        "pg_lsn",
        "timetz",
    }
)
# ... and whose binary form is that same text (the others have binary layouts of their own)
BINARY_IS_TEXT = frozenset(
    {
        "text",
        "varchar",
        "bpchar",
        "name",
        "char",
        "json",
        "xml",
        "pg_node_tree",
        "unknown",
        "cstring",
    }
)
VECTOR_ELEMENT = {"int2vector": "int2", "oidvector": "oid"}


def type_named(name: str) -> PgType:
    """The type called `name` (PostgreSQL or SQL spelling); KeyError when unknown."""
    key = name.strip().lower()
    return TYPES_BY_NAME[TYPE_ALIASES.get(key, key)]


def _numeric_typmod(precision: int, scale: int) -> int:
    return ((precision << 16) | scale) + 4


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
            TYPES_BY_NAME["numeric"], _numeric_typmod(arrow_type.precision, arrow_type.scale)
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


_ENGINE_TYPE_PREFIXES = (
    ("TIMESTAMP WITH TIME ZONE", "timestamptz"),
    ("TIMESTAMPTZ", "timestamptz"),
    ("TIMESTAMP", "timestamp"),
    ("TIME WITH TIME ZONE", "timetz"),
    ("TIME", "time"),
    ("DATE", "date"),
    ("INTERVAL", "interval"),
    ("BIGINT", "int8"),
    ("INT8", "int8"),
    ("HUGEINT", "numeric"),
    ("UBIGINT", "numeric"),
    ("SMALLINT", "int2"),
    ("TINYINT", "int2"),
    ("UTINYINT", "int2"),
    ("INT2", "int2"),
    ("USMALLINT", "int4"),
    ("INTEGER", "int4"),
    ("INT4", "int4"),
    ("INT", "int4"),
    ("UINTEGER", "int8"),
    ("DOUBLE", "float8"),
    ("FLOAT8", "float8"),
    ("FLOAT", "float4"),
    ("REAL", "float4"),
    ("DECIMAL", "numeric"),
    ("NUMERIC", "numeric"),
    ("BOOL", "bool"),
    ("UUID", "uuid"),
    ("JSONB", "jsonb"),
    ("JSON", "json"),
    ("BLOB", "bytea"),
    ("BYTEA", "bytea"),
    ("CHARACTER VARYING", "varchar"),
    ("VARCHAR", "varchar"),
)


def engine_type(name: str) -> PgType:
    """The PostgreSQL type for an engine's column type name ("INTEGER", "DECIMAL(15,2)",
    "timestamp with time zone", "INTEGER[]"); text when nothing matches."""
    upper = name.strip().upper()
    if upper.endswith("[]"):
        element = engine_type(upper[:-2])
        return TYPES_BY_NAME.get("_" + element.name, TYPES_BY_NAME["_text"])
    for prefix, pg_name in _ENGINE_TYPE_PREFIXES:
        if upper.startswith(prefix):
            return TYPES_BY_NAME[pg_name]
    return TYPES_BY_NAME["text"]


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
