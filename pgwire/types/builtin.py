"""PostgreSQL's built-in types, read from `pg_type.json` (dumped from a real PostgreSQL
server by tests/pgwire_catalog/dump_builtins.py), so OIDs, lengths and array types are
PostgreSQL's own. `PgType` is a type; `ColumnType` is a type as a column carries it (with
its typmod)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: typmod overhead PostgreSQL adds to varchar(n), bpchar(n) and numeric(p,s)
VARHDRSZ = 4


@dataclass(frozen=True)
class PgType:
    name: str
    oid: int
    typlen: int
    array_oid: int = 0
    element: str = ""  # element type name when this is an array type (`_int4` → int4)

    @property
    def is_array(self) -> bool:
        return bool(self.element)


def _load_rows() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads((Path(__file__).parent / "pg_type.json").read_text()))


#: the pg_catalog.pg_type rows of PostgreSQL, one dict per type (pg_type column → value)
TYPE_ROWS: tuple[dict[str, Any], ...] = _load_rows()
TYPE_ROWS_BY_OID: dict[int, dict[str, Any]] = {row["oid"]: row for row in TYPE_ROWS}


def _type_of(row: dict[str, Any]) -> PgType:
    element_row = TYPE_ROWS_BY_OID.get(row["typelem"])
    is_array = row["typcategory"] == "A" and row["typname"].startswith("_")
    element = element_row["typname"] if is_array and element_row is not None else ""
    return PgType(row["typname"], row["oid"], row["typlen"], row["typarray"], element)


TYPES_BY_NAME: dict[str, PgType] = {row["typname"]: _type_of(row) for row in TYPE_ROWS}
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
# ... whose binary form is their text (the others have binary layouts of their own)
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
# ... and whose text form a string column holds as is
TEXT_LIKE = BINARY_IS_TEXT | {
    "aclitem",
    "bit",
    "varbit",
    "money",
    "tid",
    "inet",
    "pg_lsn",
    "timetz",
}
VECTOR_ELEMENT = {"int2vector": "int2", "oidvector": "oid"}


def type_named(name: str) -> PgType:
    """The type called `name` (PostgreSQL or SQL spelling); KeyError when unknown."""
    key = name.strip().lower()
    return TYPES_BY_NAME[TYPE_ALIASES.get(key, key)]


def numeric_typmod(precision: int, scale: int) -> int:
    return ((precision << 16) | scale) + VARHDRSZ


@dataclass(frozen=True)
class ColumnType:
    """The PostgreSQL type of one column: its type and typmod (-1: none)."""

    pg_type: PgType
    typmod: int = -1

    @property
    def oid(self) -> int:
        return self.pg_type.oid

    @property
    def name(self) -> str:
        return self.pg_type.name

    @property
    def element(self) -> ColumnType | None:
        """The element type of an array type (typmod carried over), else None."""
        if not self.pg_type.is_array:
            return None
        return ColumnType(TYPES_BY_NAME[self.pg_type.element], self.typmod)

    @property
    def array(self) -> ColumnType:
        """The array type whose elements are this type."""
        return ColumnType(TYPES_BY_OID[self.pg_type.array_oid], self.typmod)

    @property
    def sql_name(self) -> str:
        """What `format_type(oid, typmod)` returns, e.g. `character varying(20)`."""
        return format_type(self.oid, self.typmod) or self.name


def builtin(name: str, typmod: int = -1) -> ColumnType:
    """The built-in type called `name` (a pg_type.typname such as "int4" or "_text")."""
    return ColumnType(TYPES_BY_NAME[name], typmod)


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
    pg_type = TYPES_BY_OID.get(oid) if oid is not None else None
    if pg_type is None:
        return None
    if pg_type.is_array:
        return f"{format_type(TYPES_BY_NAME[pg_type.element].oid, typmod)}[]"
    if pg_type.name == "bpchar" and typmod == -1:
        return "bpchar"
    display = DISPLAY_NAMES.get(pg_type.name, pg_type.name)
    suffix = _typmod_suffix(pg_type.name, -1 if typmod is None else typmod)
    if suffix and display.endswith(" time zone"):
        head, _, tail = display.partition(" with")
        return f"{head}{suffix} with{tail}"
    return display + suffix
