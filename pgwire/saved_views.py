"""Saved queries shown as views in a `saved` schema of their data source.

A BI tool lists `saved.monthly_revenue` beside the tables and reads it like one. The engine
knows no such view: before a statement is planned, each `saved.<name>` it reads is replaced
on the syntax tree by the saved query as a subquery, so the one governance function sees
(and checks, limits, audits) the whole statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow as pa
from sqlglot import exp

from connectors.base import ColumnInfo
from connectors.sql.parse import parse_statement
from pgwire.types import column_type

SAVED_SCHEMA = "saved"

# A cheap filter before any parsing: most statements never name the schema.
_MENTIONS_SAVED = re.compile(rf"\b{SAVED_SCHEMA}\b", re.IGNORECASE)


def view_name(title: str, taken: set[str]) -> str:
    """A lower-case identifier for a saved query titled `title` ("Monthly revenue" →
    `monthly_revenue`), different from every name in `taken`, which it is added to."""
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_") or "query"
    if base[0].isdigit():
        base = f"q_{base}"
    name, suffix = base, 2
    while name in taken:
        name, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(name)
    return name


def view_columns(schema: pa.Schema) -> tuple[ColumnInfo, ...]:
    """The columns of a view whose query returns `schema`, typed by PostgreSQL names
    (`int8`, `numeric(15,2)`) that the emulated catalog reads like an engine's."""
    columns = []
    for field in schema:
        kind = column_type(field)
        name = kind.pg_type.name
        if name == "numeric" and kind.typmod >= 4:
            modifier = kind.typmod - 4
            name = f"numeric({modifier >> 16},{modifier & 0xFFFF})"
        columns.append(ColumnInfo(field.name, name))
    return tuple(columns)


def saved_views_read(sql: str, dialect: str) -> list[str] | None:
    """Names of the `saved.<name>` views `sql` reads, or None when it reads none (then it
    is not parsed at all). Raises SqlSyntaxError when it mentions the schema and does not
    parse."""
    if _MENTIONS_SAVED.search(sql) is None:
        return None
    names = [table.name for table in _saved_tables(parse_statement(sql, dialect))]
    return names or None


def expand_saved_views(
    sql: str,
    *,
    dialect: str,
    engine_dialect: str,
    view_query: Callable[[str], exp.Expression],
) -> str:
    """`sql` (in `dialect`) as the engine's `engine_dialect`, with every `saved.<name>`
    replaced by `view_query(name)` as a subquery under the name (or alias) it was read as.

    `view_query` raises (a ConnectorError) for a name the user has no saved query under.
    """
    statement = parse_statement(sql, dialect)
    for table in list(_saved_tables(statement)):
        alias = table.alias or table.name
        subquery = exp.Subquery(
            this=view_query(table.name).copy(),
            alias=exp.TableAlias(this=exp.to_identifier(alias)),
        )
        table.replace(subquery)
    return statement.sql(dialect=engine_dialect)


def _saved_tables(statement: exp.Expression) -> list[exp.Table]:
    return [
        table
        for table in statement.find_all(exp.Table)
        if table.db.lower() == SAVED_SCHEMA and table.name
    ]
