"""The catalog relations the endpoint emulates: their OIDs, column names and column types.

The column sets are PostgreSQL's own (dumped into `data/relations.json`), so a client that
selects `*` or names any column gets what PostgreSQL 16 would give it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from pgwire.catalog.builtin_rows import DATA
from pgwire.types.builtin import TYPES_BY_OID

#: schemas clients name, and the private DuckDB schemas their relations live in
SHADOW_SCHEMAS = {"pg_catalog": "dw_pg_catalog", "information_schema": "dw_information_schema"}
SCHEMA_OF_SHADOW = {shadow: schema for schema, shadow in SHADOW_SCHEMAS.items()}

# How each PostgreSQL type is stored in the session's DuckDB tables.
ARROW_TYPES: dict[str, pa.DataType] = {
    **dict.fromkeys(["oid", "regproc", "regtype", "regclass", "regnamespace", "xid"], pa.uint32()),
    **dict.fromkeys(
        [
            "name",
            "text",
            "varchar",
            "char",
            "bpchar",
            "pg_node_tree",
            "inet",
            "anyarray",
            "bytea",
            "json",
        ],
        pa.string(),
    ),
    "int2": pa.int16(),
    "int4": pa.int32(),
    "int8": pa.int64(),
    "float4": pa.float32(),
    "float8": pa.float64(),
    "bool": pa.bool_(),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "int2vector": pa.list_(pa.int16()),
    "_int2": pa.list_(pa.int16()),
    "oidvector": pa.list_(pa.uint32()),
    "_oid": pa.list_(pa.uint32()),
    **dict.fromkeys(["_text", "_name", "_char", "_aclitem"], pa.list_(pa.string())),
}

#: int2vector and oidvector subscripts start at 0, unlike every other PostgreSQL array
ZERO_BASED_ARRAY_TYPES = frozenset({"int2vector", "oidvector"})


@dataclass(frozen=True)
class Column:
    name: str
    type_name: str  # pg_type.typname
    type_oid: int
    typmod: int
    is_not_null: bool


@dataclass(frozen=True)
class Relation:
    oid: int
    name: str
    schema: str  # "pg_catalog" or "information_schema"
    kind: str  # relkind
    type_oid: int  # reltype
    columns: tuple[Column, ...]

    @property
    def shadow_schema(self) -> str:
        return SHADOW_SCHEMAS[self.schema]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            pa.field(c.name, ARROW_TYPES.get(c.type_name, pa.string()), not c.is_not_null)
            for c in self.columns
        )


@cache
def catalog_relations() -> dict[tuple[str, str], Relation]:
    """Every emulated relation keyed by (schema, name)."""
    relations = {}
    for row in json.loads((DATA / "relations.json").read_text()):
        columns = tuple(
            Column(name, TYPES_BY_OID[type_oid].name, type_oid, typmod, notnull)
            for name, type_oid, typmod, notnull in row["columns"]
        )
        relation = Relation(
            row["oid"], row["relname"], row["nspname"], row["relkind"], row["reltype"], columns
        )
        relations[relation.schema, relation.name] = relation
    return relations


def find_relation(schema: str | None, name: str) -> Relation | None:
    """The relation a client means by `schema.name`; unqualified names search pg_catalog."""
    if schema is None:
        return catalog_relations().get(("pg_catalog", name))
    return catalog_relations().get((schema, name))


def find_shadow_relation(shadow_schema: str, name: str) -> Relation | None:
    """The relation a rewritten query reads as `shadow_schema.name` (dw_pg_catalog.pg_class)."""
    schema = SCHEMA_OF_SHADOW.get(shadow_schema)
    return catalog_relations().get((schema, name)) if schema else None
