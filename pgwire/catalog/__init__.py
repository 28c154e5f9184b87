"""The emulated pg_catalog and information_schema of the wire endpoint.

Public API:
- `CatalogSession(database, username, databases, tables, settings)`: one connection's catalog;
  `.execute(sql_or_tree, params=())` → pyarrow.Table, `.refresh(tables)`.
- `is_catalog_statement(tree)`: whether a statement is answered here rather than by the engine.
- `pg_type_for(engine_type)` → `PgType(oid, name, typmod)`: the PostgreSQL type of an engine
  column, shared with the RowDescription of data queries.
- `DIALECT`: the sqlglot dialect to parse client SQL with (handles `$1::oid[]`).
"""

from pgwire.catalog.classify import is_catalog_statement
from pgwire.catalog.dialect import DIALECT
from pgwire.catalog.results import PG_TYPE_KEY
from pgwire.catalog.session import CatalogSession
from pgwire.catalog.types import PgType, pg_type_for

__all__ = [
    "DIALECT",
    "PG_TYPE_KEY",
    "CatalogSession",
    "PgType",
    "is_catalog_statement",
    "pg_type_for",
]
