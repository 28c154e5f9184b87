"""Which Delta tables a folder holds, and how their schemas and history read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable
from deltalake.schema import ArrayType, Field, MapType, StructType

from connectors.base import ColumnInfo

DEFAULT_SCHEMA = "default"
_LOG_FOLDER = "_delta_log"


@dataclass(frozen=True)
class DeltaLocation:
    schema: str
    name: str
    path: Path


def discover_tables(root: Path) -> dict[tuple[str, str], DeltaLocation]:
    """Every Delta table under `root`, keyed by lower-case (schema, name).

    A sub-folder holding `_delta_log` is a table in schema `default`; a sub-folder
    without one whose own sub-folders are Delta tables is a schema of those tables.
    """
    found: dict[tuple[str, str], DeltaLocation] = {}
    for folder in sorted(_subfolders(root)):
        if _is_delta_table(folder):
            found[(DEFAULT_SCHEMA, folder.name.lower())] = DeltaLocation(
                DEFAULT_SCHEMA, folder.name, folder
            )
            continue
        for table in sorted(_subfolders(folder)):
            if _is_delta_table(table):
                key = (folder.name.lower(), table.name.lower())
                found[key] = DeltaLocation(folder.name, table.name, table)
    return found


def _subfolders(folder: Path) -> list[Path]:
    return [child for child in folder.iterdir() if child.is_dir() and child.name != _LOG_FOLDER]


def _is_delta_table(folder: Path) -> bool:
    return (folder / _LOG_FOLDER).is_dir()


def columns_of(table: DeltaTable) -> tuple[ColumnInfo, ...]:
    """The table's columns with Delta type names (`long`, `array<string>`, …)."""
    return tuple(
        ColumnInfo(field.name, type_name(field.type), field.nullable)
        for field in table.schema().fields
    )


def type_name(delta_type: object) -> str:
    """A Delta type written as Databricks writes it."""
    if isinstance(delta_type, ArrayType):
        return f"array<{type_name(delta_type.element_type)}>"
    if isinstance(delta_type, MapType):
        return f"map<{type_name(delta_type.key_type)},{type_name(delta_type.value_type)}>"
    if isinstance(delta_type, StructType):
        return f"struct<{','.join(_struct_field(field) for field in delta_type.fields)}>"
    return str(getattr(delta_type, "type", delta_type))


def _struct_field(field: Field) -> str:
    return f"{field.name}:{type_name(field.type)}"


#: DESCRIBE HISTORY's columns, as Databricks names and orders them
HISTORY_SCHEMA = pa.schema(
    [
        ("version", pa.int64()),
        ("timestamp", pa.timestamp("ms", tz="UTC")),
        ("userName", pa.string()),
        ("operation", pa.string()),
        ("operationParameters", pa.string()),
        ("readVersion", pa.int64()),
        ("isolationLevel", pa.string()),
        ("isBlindAppend", pa.bool_()),
        ("operationMetrics", pa.string()),
        ("userMetadata", pa.string()),
        ("engineInfo", pa.string()),
    ]
)

_JSON_COLUMNS = frozenset({"operationParameters", "operationMetrics"})


def history_table(table: DeltaTable) -> pa.Table:
    """The table's commit history, newest first; map-valued columns as JSON strings."""
    commits = sorted(table.history(), key=lambda commit: int(commit["version"]), reverse=True)
    rows = [
        {
            name: json.dumps(commit.get(name), sort_keys=True, default=str)
            if name in _JSON_COLUMNS and commit.get(name) is not None
            else commit.get(name)
            for name in HISTORY_SCHEMA.names
        }
        for commit in commits
    ]
    return pa.Table.from_pylist(rows, schema=HISTORY_SCHEMA)
