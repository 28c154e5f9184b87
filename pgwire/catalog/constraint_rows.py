"""Catalog rows for the user's constraints and their indexes: pg_constraint, pg_index,
pg_indexes and information_schema's table_constraints, key_column_usage,
referential_constraints and constraint_column_usage, with PostgreSQL 16's values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors.base import ConstraintKind, TableInfo
from pgwire.catalog.content import CatalogConstraint, CatalogContent
from pgwire.catalog.definitions import index_definition
from pgwire.types.builtin import TYPE_ROWS_BY_OID
from pgwire.types.engine import pg_type_for

Row = dict[str, Any]

CONSTRAINT_TYPES = {
    ConstraintKind.PRIMARY_KEY: "PRIMARY KEY",
    ConstraintKind.UNIQUE: "UNIQUE",
    ConstraintKind.FOREIGN_KEY: "FOREIGN KEY",
}
# Foreign keys of engines are plain: NO ACTION on update and delete, MATCH SIMPLE.
NO_ACTION = "a"
MATCH_SIMPLE = "s"


def _collation(table: TableInfo, attnum: int) -> int:
    pg_type = pg_type_for(table.columns[attnum - 1].type)
    return int(TYPE_ROWS_BY_OID[pg_type.oid]["typcollation"])


# ---------------------------------------------------------------- pg_catalog


def constraint_rows(content: CatalogContent) -> Iterator[Row]:
    for constraint in content.constraints:
        referenced = constraint.referenced
        is_foreign = referenced is not None
        yield {
            "oid": constraint.oid,
            "conname": constraint.name,
            "connamespace": constraint.namespace_oid,
            "contype": constraint.contype,
            "condeferrable": False,
            "condeferred": False,
            "convalidated": True,
            "conrelid": constraint.relid,
            "contypid": 0,
            "conindid": constraint.index_oid,
            "conparentid": 0,
            "confrelid": referenced.relid if referenced else 0,
            "confupdtype": NO_ACTION if is_foreign else " ",
            "confdeltype": NO_ACTION if is_foreign else " ",
            "confmatchtype": MATCH_SIMPLE if is_foreign else " ",
            "conislocal": True,
            "coninhcount": 0,
            "connoinherit": True,
            "conkey": list(constraint.attnums),
            "confkey": list(constraint.referenced_attnums) if is_foreign else None,
        }


def _indexes(content: CatalogContent) -> Iterator[CatalogConstraint]:
    return (c for c in content.constraints if c.has_own_index)


def index_rows(content: CatalogContent) -> Iterator[Row]:
    for constraint in _indexes(content):
        count = len(constraint.attnums)
        yield {
            "indexrelid": constraint.index_oid,
            "indrelid": constraint.relid,
            "indnatts": count,
            "indnkeyatts": count,
            "indisunique": True,
            "indnullsnotdistinct": False,
            "indisprimary": constraint.info.kind is ConstraintKind.PRIMARY_KEY,
            "indisexclusion": False,
            "indimmediate": True,
            "indisclustered": False,
            "indisvalid": True,
            "indcheckxmin": False,
            "indisready": True,
            "indislive": True,
            "indisreplident": False,
            "indkey": list(constraint.attnums),
            "indcollation": [_collation(constraint.table, n) for n in constraint.attnums],
            # pg_opclass is not emulated: no operator class to name
            "indclass": [0] * count,
            "indoption": [0] * count,
        }


def indexes_view_rows(content: CatalogContent) -> Iterator[Row]:
    for constraint in _indexes(content):
        yield {
            "schemaname": constraint.schema,
            "tablename": constraint.table.name,
            "indexname": constraint.name,
            "tablespace": None,
            "indexdef": index_definition(constraint),
        }


class KeyedTables:
    """Which tables have indexes (primary keys, unique constraints) and which have the
    triggers PostgreSQL puts on both ends of a foreign key (psql shows foreign keys and
    "Referenced by" only for tables with triggers)."""

    def __init__(self, content: CatalogContent) -> None:
        self._indexed: set[tuple[str, str]] = set()
        self._triggered: set[tuple[str, str]] = set()
        for constraint in content.constraints:
            table = (constraint.table.schema, constraint.table.name)
            if constraint.referenced is None:
                self._indexed.add(table)
            else:
                referenced = constraint.referenced.table
                self._triggered |= {table, (referenced.schema, referenced.name)}

    def has_index(self, table: TableInfo) -> bool:
        return (table.schema, table.name) in self._indexed

    def has_triggers(self, table: TableInfo) -> bool:
        return (table.schema, table.name) in self._triggered


# ---------------------------------------------------------------- information_schema


def _names(content: CatalogContent, constraint: CatalogConstraint) -> Row:
    return {
        "constraint_catalog": content.database,
        "constraint_schema": constraint.schema,
        "constraint_name": constraint.name,
    }


def table_constraints_rows(content: CatalogContent) -> Iterator[Row]:
    for constraint in content.constraints:
        yield _names(content, constraint) | {
            "table_catalog": content.database,
            "table_schema": constraint.schema,
            "table_name": constraint.table.name,
            "constraint_type": CONSTRAINT_TYPES[constraint.info.kind],
            "is_deferrable": "NO",
            "initially_deferred": "NO",
            "enforced": "YES",
            "nulls_distinct": "YES" if constraint.info.kind is ConstraintKind.UNIQUE else None,
        }


def key_column_usage_rows(content: CatalogContent) -> Iterator[Row]:
    for constraint in content.constraints:
        referenced = constraint.referenced
        for position, column in enumerate(constraint.info.columns, start=1):
            position_in_key = None
            if referenced is not None:
                referenced_column = constraint.info.referenced_columns[position - 1]
                position_in_key = referenced.info.columns.index(referenced_column) + 1
            yield _names(content, constraint) | {
                "table_catalog": content.database,
                "table_schema": constraint.schema,
                "table_name": constraint.table.name,
                "column_name": column,
                "ordinal_position": position,
                "position_in_unique_constraint": position_in_key,
            }


def referential_constraints_rows(content: CatalogContent) -> Iterator[Row]:
    for constraint in content.constraints:
        referenced = constraint.referenced
        if referenced is not None:
            yield _names(content, constraint) | {
                "unique_constraint_catalog": content.database,
                "unique_constraint_schema": referenced.schema,
                "unique_constraint_name": referenced.name,
                "match_option": "NONE",
                "update_rule": "NO ACTION",
                "delete_rule": "NO ACTION",
            }


def constraint_column_usage_rows(content: CatalogContent) -> Iterator[Row]:
    """The columns each constraint restricts: a foreign key's are those it references."""
    for constraint in content.constraints:
        referenced = constraint.referenced
        table = constraint.table if referenced is None else referenced.table
        columns = (
            constraint.info.columns if referenced is None else constraint.info.referenced_columns
        )
        for column in columns:
            yield _names(content, constraint) | {
                "table_catalog": content.database,
                "table_schema": referenced.schema if referenced else constraint.schema,
                "table_name": table.name,
                "column_name": column,
            }
