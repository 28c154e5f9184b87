"""One wire session's emulated pg_catalog and information_schema.

The catalog lives in a private in-memory DuckDB database (external access off) holding one
table per emulated relation in the schemas `dw_pg_catalog` and `dw_information_schema`;
DuckDB's own pg_catalog views are never read. A client's query is rewritten (rewrite.py),
run there, and its result relabelled as PostgreSQL would send it (results.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

import duckdb
import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import ParseError

from connectors.base import TableInfo
from connectors.errors import EngineError, SqlSyntaxError
from pgwire.catalog import rewrite
from pgwire.catalog.content import CatalogContent
from pgwire.catalog.definitions import Definitions
from pgwire.catalog.function_definitions import builtin_function_definitions
from pgwire.catalog.functions import FunctionSources, install_functions
from pgwire.catalog.lineage import output_types
from pgwire.catalog.lookups import Lookups
from pgwire.catalog.reg_literals import resolve_reg_literals
from pgwire.catalog.relations import SHADOW_SCHEMAS, catalog_relations
from pgwire.catalog.results import to_pg_result
from pgwire.catalog.sizes import Sizes
from pgwire.catalog.tables import build_catalog, build_relation
from pgwire.local_duckdb import Fetch, connect_local, fetch_all, lock, sqlstate_of


@cache
def _create_empty_table_statements() -> dict[tuple[str, str], str]:
    """`CREATE TABLE …;` for each emulated relation, with the DuckDB column types its rows
    get when made from Arrow (as DuckDB itself describes them)."""
    statements = {}
    with duckdb.connect(":memory:") as connection:
        for key, relation in catalog_relations().items():
            connection.register("catalog_rows", build_relation(relation, []))
            described = connection.execute("DESCRIBE SELECT * FROM catalog_rows").fetchall()
            connection.unregister("catalog_rows")
            columns = ", ".join(f'"{name}" {column_type}' for name, column_type, *_ in described)
            statements[key] = (
                f'CREATE TABLE {relation.shadow_schema}."{relation.name}" ({columns});'
            )
    return statements


class CatalogSession:
    """The catalog one user sees on one connection to one database (data source).

    `tables` are the tables and views the user may see (the web app's visibility rule
    applied by the caller); `databases` the data sources they may connect to; `settings`
    the session's parameters (search_path, TimeZone, application_name, …). A
    `pg_backend_pid` entry in `settings` is what `pg_backend_pid()` answers.
    """

    def __init__(
        self,
        database: str,
        username: str,
        databases: Sequence[str],
        tables: Sequence[TableInfo],
        settings: Mapping[str, str],
    ) -> None:
        self._content = CatalogContent(
            database, username, tuple(databases), tuple(tables), dict(settings)
        )
        self._settings = dict(settings)
        self._connection = self._open()

    def _open(self) -> duckdb.DuckDBPyConnection:
        connection = connect_local()
        for shadow_schema in SHADOW_SCHEMAS.values():
            connection.execute(f"CREATE SCHEMA {shadow_schema}")
        catalog = build_catalog(self._content)
        empty = [key for key, rows in catalog.items() if rows.num_rows == 0]
        # one statement for all empty relations: a table made from Arrow costs a few ms each
        connection.execute("".join(_create_empty_table_statements()[key] for key in empty))
        for key, relation in catalog_relations().items():
            if key in empty:
                continue
            connection.register("catalog_rows", catalog[key])
            connection.execute(
                f'CREATE TABLE {relation.shadow_schema}."{relation.name}" '
                "AS SELECT * FROM catalog_rows"
            )
            connection.unregister("catalog_rows")
        self._lookups = Lookups.from_catalog(
            catalog,
            username=self._content.username,
            database=self._content.database,
            settings=self._settings,
        )
        backend_pid = int(self._settings.get("pg_backend_pid", "0") or 0)
        install_functions(connection, self._function_sources(catalog), backend_pid=backend_pid)
        lock(connection)
        return connection

    def _function_sources(self, catalog: Mapping[tuple[str, str], pa.Table]) -> FunctionSources:
        return FunctionSources(
            lookups=self._lookups,
            constraints=Definitions(self._content.constraints, self._lookups.relation_name),
            functions=builtin_function_definitions(),
            sizes=Sizes.from_catalog(catalog, self._content.database),
        )

    def refresh(self, tables: Sequence[TableInfo]) -> None:
        """Show `tables` from now on (after grants or the data source's schema changed)."""
        self._settings = dict(self._lookups.settings)
        self._content = CatalogContent(
            self._content.database,
            self._content.username,
            self._content.databases,
            tuple(tables),
            self._settings,
        )
        self._connection.close()
        self._connection = self._open()

    def execute(self, statement: str | exp.Expression, fetch: Fetch = fetch_all) -> pa.Table:
        """Run one catalog query and return its rows as PostgreSQL would.

        `statement` is PostgreSQL SQL or a tree parsed from it (best with
        `pgwire.sql.dialect.DIALECT`); `fetch` runs the translated SQL (a client's query:
        bounded and cancellable, see pgwire.local_duckdb). Raises SqlSyntaxError (42601),
        UndefinedObject (42P01), ParameterError (22023) or EngineError with a PostgreSQL
        SQLSTATE, and whatever `fetch` raises.
        """
        try:
            tree = rewrite.parse(statement) if isinstance(statement, str) else statement
        except ParseError as error:
            raise SqlSyntaxError(str(error).splitlines()[0]) from error
        prepared = resolve_reg_literals(rewrite.prepare(tree), self._lookups)
        types = output_types(prepared)
        translated = rewrite.translate(prepared)
        sql = translated.sql(dialect="duckdb")
        try:
            result = fetch(self._connection, sql)
        except duckdb.Error as error:
            raise EngineError(str(error).splitlines()[0], sqlstate=sqlstate_of(error)) from error
        if result is None:
            raise EngineError("a catalog statement returned no result", sqlstate="0A000")
        return to_pg_result(result, result.column_names, types, self._lookups)

    def close(self) -> None:
        self._connection.close()
