"""Relation, database and tablespace sizes as PostgreSQL's size functions report them, and
pg_size_pretty.

The engines report no sizes in bytes (connectors' TableInfo carries none), so a relation
occupies what its pg_class row says: relpages blocks of BLOCK_SIZE bytes, which is nothing
for a table or view and one block for an emulated index. The session's database holds its
relations; the other databases it lists, whose catalogs it never reads, hold nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import pyarrow as pa

from pgwire.catalog import oids

BLOCK_SIZE = 8192
#: pg_size_pretty's units: (name, the magnitude below which it is used, whether it rounds
#: half away from zero, its power of two), as in PostgreSQL's dbsize.c
SIZE_UNITS = (
    ("bytes", 10 * 1024, False, 0),
    ("kB", 20 * 1024 - 1, True, 10),
    ("MB", 20 * 1024 - 1, True, 20),
    ("GB", 20 * 1024 - 1, True, 30),
    ("TB", 20 * 1024 - 1, True, 40),
    ("PB", 20 * 1024 - 1, True, 50),
)
SYSTEM_NAMESPACES = frozenset({oids.PG_CATALOG_NAMESPACE, oids.INFORMATION_SCHEMA_NAMESPACE})


def _divide_truncating(dividend: int, divisor: int) -> int:
    """Integer division rounding toward zero, as C's `/` does."""
    quotient = abs(dividend) // divisor
    return quotient if dividend >= 0 else -quotient


def size_pretty(size: int | None) -> str | None:
    """pg_size_pretty: `8192 bytes`, `10 kB`, `20 MB`, … with PostgreSQL's rounding."""
    if size is None:
        return None
    for (name, limit, is_rounded, bits), following in zip(
        SIZE_UNITS, (*SIZE_UNITS[1:], None), strict=True
    ):
        if following is None or abs(size) < limit:
            if is_rounded:
                size = _divide_truncating(size + (-1 if size < 0 else 1), 2)
            return f"{size} {name}"
        # one bit less when the next unit rounds, so that its rounding sees that bit
        shift = following[3] - bits - following[2] + is_rounded
        size = _divide_truncating(size, 1 << shift)
    raise AssertionError("the last unit always answers")


@dataclass(frozen=True)
class Sizes:
    """The sizes of one session's relations, databases and tablespaces, in bytes.

    Every method answers None for an object that does not exist, as PostgreSQL's functions
    do for a relation OID that names nothing.
    """

    pages: Mapping[int, int]  # relation OID → relpages
    indexes: Mapping[int, tuple[int, ...]]  # table OID → its indexes' OIDs
    user_relations: tuple[int, ...]  # tables, views and indexes outside the system schemas
    database: str
    databases: Mapping[str, str]  # name or OID as text → name

    @classmethod
    def from_catalog(cls, catalog: Mapping[tuple[str, str], pa.Table], database: str) -> Sizes:
        def rows(name: str) -> list[dict[str, Any]]:
            return cast(list[dict[str, Any]], catalog["pg_catalog", name].to_pylist())

        indexes: dict[int, list[int]] = defaultdict(list)
        for index in rows("pg_index"):
            indexes[index["indrelid"]].append(index["indexrelid"])
        classes = rows("pg_class")
        databases = {}
        for row in rows("pg_database"):
            databases[row["datname"]] = databases[str(row["oid"])] = row["datname"]
        return cls(
            pages={row["oid"]: row["relpages"] for row in classes},
            indexes={table: tuple(found) for table, found in indexes.items()},
            user_relations=tuple(
                row["oid"] for row in classes if row["relnamespace"] not in SYSTEM_NAMESPACES
            ),
            database=database,
            databases=databases,
        )

    def relation_size(self, oid: int | None) -> int | None:
        """pg_relation_size and pg_table_size: a relation's main data (there is no TOAST)."""
        if oid is None or oid not in self.pages:
            return None
        return self.pages[oid] * BLOCK_SIZE

    def indexes_size(self, oid: int | None) -> int | None:
        if oid is None or oid not in self.pages:
            return None
        return sum(self.relation_size(index) or 0 for index in self.indexes.get(oid, ()))

    def total_relation_size(self, oid: int | None) -> int | None:
        size, indexes = self.relation_size(oid), self.indexes_size(oid)
        return None if size is None or indexes is None else size + indexes

    def database_size(self, name_or_oid: str | None) -> int | None:
        name = None if name_or_oid is None else self.databases.get(name_or_oid)
        if name is None:
            return None
        if name != self.database:
            return 0
        return sum(self.relation_size(oid) or 0 for oid in self.user_relations)

    def tablespace_size(self, name_or_oid: str | None) -> int | None:
        """pg_default holds the database; pg_global (shared catalogs) holds nothing here."""
        if name_or_oid in ("pg_default", str(oids.DEFAULT_TABLESPACE)):
            return self.database_size(self.database)
        if name_or_oid in ("pg_global", str(oids.GLOBAL_TABLESPACE)):
            return 0
        return None
