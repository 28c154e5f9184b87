"""The emulated pg_catalog and information_schema of the wire endpoint.

Public API:
- `CatalogSession(database, username, databases, tables, settings)`: one connection's catalog;
  `.execute(sql_or_tree)` → pyarrow.Table, `.refresh(tables)`.
- `is_catalog_statement(tree)`: whether a statement is answered here rather than by the engine.
"""

from pgwire.catalog.classify import is_catalog_statement
from pgwire.catalog.session import CatalogSession

__all__ = ["CatalogSession", "is_catalog_statement"]
