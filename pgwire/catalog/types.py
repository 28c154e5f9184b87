"""PostgreSQL's built-in types, and the map from engine type names to them.

Every type row comes from `data/pg_type.json`, dumped from a real PostgreSQL server, so OIDs,
lengths and categories are PostgreSQL's own. `pg_type_for` is the one place that decides which
PostgreSQL type an engine column is shown as: the catalog and the RowDescription of data
queries both call it, so a client sees the same type in both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"

#: typmod overhead PostgreSQL adds to varchar(n), bpchar(n) and numeric(p,s)
VARHDRSZ = 4


@cache
def builtin_type_rows() -> tuple[dict[str, Any], ...]:
    """The pg_catalog type rows of PostgreSQL, one dict per type (pg_type column → value)."""
    return tuple(json.loads((DATA / "pg_type.json").read_text()))


@cache
def builtin_types_by_oid() -> dict[int, dict[str, Any]]:
    return {row["oid"]: row for row in builtin_type_rows()}


@cache
def builtin_types_by_name() -> dict[str, dict[str, Any]]:
    return {row["typname"]: row for row in builtin_type_rows()}


@dataclass(frozen=True)
class PgType:
    """A PostgreSQL type as a column carries it: the type's OID and name plus the typmod."""

    oid: int
    name: str
    typmod: int = -1

    @property
    def typlen(self) -> int:
        return int(builtin_types_by_name()[self.name]["typlen"])

    @property
    def element(self) -> PgType | None:
        """The element type of an array type (typmod carried over), else None."""
        elem_oid = builtin_types_by_name()[self.name]["typelem"]
        if builtin_types_by_name()[self.name]["typcategory"] != "A" or not elem_oid:
            return None
        return PgType(elem_oid, builtin_types_by_oid()[elem_oid]["typname"], self.typmod)

    @property
    def array(self) -> PgType:
        """The array type whose elements are this type."""
        array_oid = builtin_types_by_name()[self.name]["typarray"]
        return PgType(array_oid, builtin_types_by_oid()[array_oid]["typname"], self.typmod)

    @property
    def sql_name(self) -> str:
        """What `format_type(oid, typmod)` returns, e.g. `character varying(20)`."""
        return format_type(self.oid, self.typmod) or self.name


def builtin(name: str, typmod: int = -1) -> PgType:
    """The built-in type called `name` (a pg_type.typname such as "int4" or "_text")."""
    return PgType(builtin_types_by_name()[name]["oid"], name, typmod)


# Names format_type prints for built-in types, from PostgreSQL's format_type.c.
DISPLAY_NAMES = {
    "bit": "bit",
    "bool": "boolean",
    "bpchar": "character",
    "float4": "real",
    "float8": "double precision",
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "numeric": "numeric",
    "interval": "interval",
    "time": "time without time zone",
    "timetz": "time with time zone",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "varbit": "bit varying",
    "varchar": "character varying",
    "char": '"char"',
}


def _typmod_suffix(name: str, typmod: int) -> str:
    if typmod < 0:
        return ""
    if name in ("varchar", "bpchar", "bit", "varbit"):
        return f"({typmod - VARHDRSZ})" if name in ("varchar", "bpchar") else f"({typmod})"
    if name == "numeric":
        precision, scale = (typmod - VARHDRSZ) >> 16, (typmod - VARHDRSZ) & 0xFFFF
        return f"({precision},{scale})"
    if name in ("time", "timetz", "timestamp", "timestamptz", "interval"):
        return f"({typmod})"
    return ""


def format_type(oid: int | None, typmod: int | None) -> str | None:
    """PostgreSQL's format_type(oid, typmod) for built-in types; None for an unknown OID."""
    row = builtin_types_by_oid().get(oid) if oid is not None else None
    if row is None:
        return None
    name: str = row["typname"]
    if row["typcategory"] == "A" and row["typelem"] and name.startswith("_"):
        return f"{format_type(row['typelem'], typmod)}[]"
    if name == "bpchar" and typmod == -1:
        return "bpchar"
    display = DISPLAY_NAMES.get(name, name)
    suffix = _typmod_suffix(name, -1 if typmod is None else typmod)
    if suffix and display.endswith(" time zone"):
        head, _, tail = display.partition(" with")
        return f"{head}{suffix} with{tail}"
    return display + suffix


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


def _scalar_type(base: str, args: str | None, engine: str | None) -> PgType:
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


def pg_type_for(engine_type: str, engine: str | None = None) -> PgType:
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
    if base.startswith("_") and base in builtin_types_by_name():
        return builtin(base)
    if base.startswith("decimal") or base.startswith("numeric"):
        return _scalar_type("numeric", args, engine)
    scalar = _scalar_type(base, args, engine)
    if scalar.name == "text" and base not in ENGINE_TYPE_NAMES and base in builtin_types_by_name():
        return builtin(base)
    return scalar
