"""Engine column types → PostgreSQL types: the one map from what DuckDB, Delta/Spark,
PostgreSQL or Arrow call a column's type to the PostgreSQL type a client is shown, in the
catalog and in the RowDescription of data queries alike."""

from __future__ import annotations

import re

from sqlglot import exp

from pgwire.types.builtin import TYPES_BY_NAME, VARHDRSZ, ColumnType, builtin

# Engine type names (DuckDB, PostgreSQL, Delta/Spark, Arrow) → pg_type.typname.
ENGINE_TYPE_NAMES = {
    **dict.fromkeys(["bigint", "int8", "long", "int64", "signed", "bigserial"], "int8"),
    **dict.fromkeys(["integer", "int", "int4", "int32", "serial", "uint16", "usmallint"], "int4"),
    **dict.fromkeys(["smallint", "int2", "short", "int16", "tinyint", "int1", "byte"], "int2"),
    **dict.fromkeys(["utinyint", "uint8"], "int2"),
    **dict.fromkeys(["uinteger", "uint32"], "int8"),
    **dict.fromkeys(
        [
            "ubigint",
            "uint64",
            "hugeint",
            "int128",
            "uhugeint",
            "uint128",
            "varint",
            "bignum",
            "decimal",
            "numeric",
            "dec",
        ],
        "numeric",
    ),
    **dict.fromkeys(["double", "float8", "double precision", "float64"], "float8"),
    **dict.fromkeys(["float", "float4", "real", "float32", "half", "float16"], "float4"),
    **dict.fromkeys(["varchar", "character varying", "char varying", "nvarchar"], "varchar"),
    **dict.fromkeys(
        ["string", "text", "utf8", "large_string", "large_utf8", "enum", "string_view"], "text"
    ),
    **dict.fromkeys(["char", "character", "bpchar", "nchar"], "bpchar"),
    **dict.fromkeys(["boolean", "bool", "logical"], "bool"),
    "date": "date",
    **dict.fromkeys(["time", "time without time zone"], "time"),
    **dict.fromkeys(["time with time zone", "timetz", "time_tz"], "timetz"),
    **dict.fromkeys(
        [
            "timestamp",
            "datetime",
            "timestamp without time zone",
            "timestamp_ntz",
            "timestamp_ns",
            "timestamp_ms",
            "timestamp_s",
            "timestamp_us",
        ],
        "timestamp",
    ),
    **dict.fromkeys(
        ["timestamp with time zone", "timestamptz", "timestamp_tz", "timestamp_ltz"], "timestamptz"
    ),
    **dict.fromkeys(["interval", "duration"], "interval"),
    **dict.fromkeys(["blob", "bytea", "binary", "varbinary", "bytes", "large_binary"], "bytea"),
    "uuid": "uuid",
    "json": "json",
    "jsonb": "jsonb",
    # Nested values have no PostgreSQL equivalent a BI tool can read; they travel as JSON text.
    **dict.fromkeys(["struct", "map", "union", "variant", "row", "object"], "json"),
    **dict.fromkeys(["bit", "bitstring"], "varbit"),
    "bit varying": "varbit",
    **{
        name: name
        for name in (
            "oid",
            "name",
            "xml",
            "inet",
            "cidr",
            "macaddr",
            "money",
            "regclass",
            "regtype",
            "regproc",
            "tsvector",
        )
    },
    '"char"': "char",
}

_LENGTH_TYPES = {"varchar", "bpchar"}
_ARRAY_SUFFIX = re.compile(r"\s*\[\d*\]$")
_ARGS = re.compile(r"^(?P<base>[^(<]+?)\s*(?:[(<](?P<args>.*)[)>])?$", re.DOTALL)
# Delta's "timestamp" is an instant; DuckDB's and PostgreSQL's is a wall-clock time.
_ENGINE_OVERRIDES = {"delta": {"timestamp": "timestamptz"}, "spark": {"timestamp": "timestamptz"}}


def _numeric_typmod(args: str) -> int:
    parts = [int(p) for p in args.split(",") if p.strip()]
    if not parts:
        return -1
    precision, scale = parts[0], parts[1] if len(parts) > 1 else 0
    return ((precision << 16) | scale) + VARHDRSZ


def _scalar_type(base: str, args: str | None, engine: str | None) -> ColumnType:
    name = _ENGINE_OVERRIDES.get(engine or "", {}).get(base) or ENGINE_TYPE_NAMES.get(base)
    if name is None:
        return builtin("text")
    if name == "numeric" and base not in ("decimal", "numeric", "dec"):
        return builtin("numeric")
    if name == "numeric" and args:
        return builtin("numeric", _numeric_typmod(args))
    if name in _LENGTH_TYPES and args and args.strip().isdigit():
        return builtin(name, int(args) + VARHDRSZ)
    if name == "bpchar":
        return builtin(name, 1 + VARHDRSZ) if base in ("char", "character") else builtin(name)
    return builtin(name)


def pg_type_for(engine_type: str, engine: str | None = None) -> ColumnType:
    """The PostgreSQL type an engine column of type `engine_type` is shown as.

    Accepts DuckDB names (`DECIMAL(18,3)`, `VARCHAR[]`, `STRUCT(a INTEGER)`), PostgreSQL names
    (`character varying(20)`, `_int4`, `numeric(12,2)`) and Delta/Spark names (`long`,
    `decimal(10,2)`, `array<string>`). Typmods follow PostgreSQL: numeric(p,s) is
    ((p << 16) | s) + 4, varchar(n) is n + 4. Pass `engine="delta"` to read Delta's
    `timestamp` as timestamptz. Names no rule knows come back as `text`, never an error.
    """
    text = " ".join(engine_type.strip().lower().split())
    if _ARRAY_SUFFIX.search(text):
        return pg_type_for(_ARRAY_SUFFIX.sub("", text), engine).array
    match = _ARGS.match(text)
    base, args = (match["base"].strip(), match["args"]) if match else (text, None)
    if base in ("array", "list") and args:
        return pg_type_for(args, engine).array
    if base.startswith("_") and base in TYPES_BY_NAME:
        return builtin(base)
    if base.startswith("decimal") or base.startswith("numeric"):
        return _scalar_type("numeric", args, engine)
    scalar = _scalar_type(base, args, engine)
    if scalar.name == "text" and base not in ENGINE_TYPE_NAMES and base in TYPES_BY_NAME:
        return builtin(base)
    return scalar


# information_schema's domains, shown (and cast) as their base types.
DOMAIN_BASE_TYPES = {
    "sql_identifier": "name",
    "character_data": "varchar",
    "yes_or_no": "varchar",
    "cardinal_number": "int4",
    "time_stamp": "timestamptz",
}


def pg_type_name(data_type: exp.DataType) -> str:
    """The pg_type.typname a cast target names (`"char"` → char, `oid[]` → _oid)."""
    if data_type.this == exp.DataType.Type.ARRAY and data_type.expressions:
        element = data_type.expressions[0]
        return "_" + pg_type_name(element) if isinstance(element, exp.DataType) else "_text"
    if isinstance(data_type, exp.ObjectIdentifier) or (
        data_type.this == exp.DataType.Type.USERDEFINED
    ):
        raw = data_type.args.get("kind") or data_type.this
        name = str(raw).rsplit(".", 1)[-1].strip('"').lower()
        return DOMAIN_BASE_TYPES.get(name, name)
    return pg_type_for(data_type.sql("postgres")).name
