"""Saved queries and dashboards' datasets shown as views.

A BI tool lists `saved.monthly_revenue` (a saved query) and
`dashboard_sales_overview.monthly_revenue` (a dataset of the dashboard "Sales overview")
beside the tables and reads them like one. The engine knows no such view: before a
statement is planned, each view it reads is replaced on the syntax tree by the view's
query as a subquery, so the one governance function sees (and checks, limits, audits) the
whole statement.

Names are lower-case ASCII identifiers that PostgreSQL takes unquoted, at most 63 bytes.
Clashes go to whichever was created first; later ones get `_2`, `_3`, so adding a query
or a dashboard never renames one a BI report already uses (renaming or deleting the older
of two namesakes does).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

import pyarrow as pa
from sqlglot import exp

from connectors.base import ColumnInfo
from connectors.sql.parse import parse_statement
from pgwire.types.arrow import column_type

SAVED_SCHEMA = "saved"
# one schema per dashboard; the prefix keeps them apart from `saved`, `public` and the
# engine's own schemas, and together in a BI tool's navigator
DASHBOARD_SCHEMA_PREFIX = "dashboard_"
# PostgreSQL's NAMEDATALEN - 1: servers and clients cut longer names there
MAX_NAME_BYTES = 63

# A cheap filter before any parsing: most statements name neither kind of schema.
_MENTIONS_VIEWS = re.compile(rf"\b(?:{SAVED_SCHEMA}|{DASHBOARD_SCHEMA_PREFIX}\w+)\b", re.IGNORECASE)

# (schema, view) as a statement names them, lower-cased
ViewName = tuple[str, str]


def view_name(title: str, taken: set[str]) -> str:
    """A lower-case identifier for a query titled `title` ("Monthly revenue" →
    `monthly_revenue`), different from every name in `taken`, which it is added to."""
    base = _slug(title) or "query"
    if base[0].isdigit():
        base = f"q_{base}"
    return _unique(base, taken)


def dataset_view_name(query_title: str, widget_title: str, taken: set[str]) -> str:
    """The view name of a dashboard's dataset: its query's, like in `saved`; when an earlier
    dataset of the dashboard has that name (the same query under other parameter values),
    the title of the widget that draws it, which is what tells the two apart."""
    name = view_name(query_title, set())
    if name not in taken:
        taken.add(name)
        return name
    return view_name(widget_title or query_title, taken)


def dashboard_schema_names(dashboards: Iterable[tuple[int, str]]) -> dict[int, str]:
    """The schema of each dashboard, given as (id, name) in creation order: "Sales
    overview" → `dashboard_sales_overview`, a later dashboard of the same name
    `dashboard_sales_overview_2`, one named without a Latin letter or digit by its id.
    Every dashboard counts, not only those one user sees, so a schema has the same name
    for everyone who reads it (a published report refreshes under anyone's login)."""
    taken: set[str] = set()
    return {
        dashboard_id: _unique(DASHBOARD_SCHEMA_PREFIX + (_slug(name) or str(dashboard_id)), taken)
        for dashboard_id, name in dashboards
    }


def is_dashboard_schema(schema: str) -> bool:
    return schema.lower().startswith(DASHBOARD_SCHEMA_PREFIX)


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


def views_read(sql: str, dialect: str) -> list[ViewName] | None:
    """The saved and dashboard views `sql` reads, or None when it reads none (then it is
    not parsed at all). Raises SqlSyntaxError when it mentions such a schema and does not
    parse."""
    if _MENTIONS_VIEWS.search(sql) is None:
        return None
    names = [_view_name_of(table) for table in _view_tables(parse_statement(sql, dialect))]
    return names or None


def expand_views(
    sql: str,
    *,
    dialect: str,
    engine_dialect: str,
    view_query: Callable[[str, str], exp.Expression],
) -> str:
    """`sql` (in `dialect`) as the engine's `engine_dialect`, with every view it reads
    replaced by `view_query(schema, name)` as a subquery under the name (or alias) it was
    read as.

    `view_query` raises (a ConnectorError) for a view the user has not.
    """
    statement = parse_statement(sql, dialect)
    for table in list(_view_tables(statement)):
        alias = table.alias or table.name
        subquery = exp.Subquery(
            this=view_query(*_view_name_of(table)).copy(),
            alias=exp.TableAlias(this=exp.to_identifier(alias)),
        )
        table.replace(subquery)
    return statement.sql(dialect=engine_dialect)


def _view_tables(statement: exp.Expression) -> list[exp.Table]:
    return [
        table
        for table in statement.find_all(exp.Table)
        if table.name and (table.db.lower() == SAVED_SCHEMA or is_dashboard_schema(table.db))
    ]


def _view_name_of(table: exp.Table) -> ViewName:
    return table.db.lower(), table.name.lower()


def _slug(title: str) -> str:
    # accents dropped rather than turned into `_`: "Umsätze" → `umsatze`
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_title.lower()).strip("_")


def _unique(base: str, taken: set[str]) -> str:
    name, suffix = base[:MAX_NAME_BYTES].rstrip("_"), 2
    while name in taken:
        tail = f"_{suffix}"
        name, suffix = base[: MAX_NAME_BYTES - len(tail)].rstrip("_") + tail, suffix + 1
    taken.add(name)
    return name
