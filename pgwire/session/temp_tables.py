"""A session's temporary tables (Tableau's `#Tableau_…` filter tables), kept in a private
in-memory DuckDB that only this session reaches (bounded as pgwire.local_duckdb says):
invisible to other sessions, gone when the session ends or runs DISCARD TEMP. Statements
that touch only these tables run here; governed data never does.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pyarrow as pa
from sqlglot import exp

from pgwire.encoding.parameters import SQL_TYPES
from pgwire.local_duckdb import Fetch, connect_local, fetch_all, lock, sqlstate_of
from pgwire.protocol.errors import FeatureNotSupported, PgError
from pgwire.types.arrow import column_type
from pgwire.types.builtin import ColumnType

_TEMP_SCHEMAS = ("", "pg_temp")
MAX_INLINE_ROWS = 10_000


def _table_name(table: exp.Table) -> str:
    return table.name.lower()


def is_temp_create(expression: exp.Expression) -> bool:
    properties = expression.args.get("properties")
    return (
        isinstance(expression, exp.Create)
        and str(expression.args.get("kind", "")).upper() == "TABLE"
        and properties is not None
        and any(isinstance(item, exp.TemporaryProperty) for item in properties.expressions)
    )


def select_into_target(expression: exp.Expression) -> exp.Table | None:
    """The table of `SELECT … INTO name FROM …`, or None."""
    into = expression.args.get("into") if isinstance(expression, exp.Select) else None
    return into.this if into is not None and isinstance(into.this, exp.Table) else None


class TempTables:
    def __init__(self) -> None:
        self._connection: duckdb.DuckDBPyConnection | None = None
        self.tables: set[str] = set()

    def _db(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            self._connection = connect_local()
            lock(self._connection)
        return self._connection

    def touches(self, expression: exp.Expression) -> bool:
        """True when the statement creates or fills a temporary table, or reads only
        temporary tables: it runs here."""
        if is_temp_create(expression) or select_into_target(expression) is not None:
            return True
        temp, other = self._split_tables(expression)
        return bool(temp) and not other

    def _split_tables(self, expression: exp.Expression) -> tuple[list[exp.Table], list[exp.Table]]:
        if not self.tables:
            return [], []
        ctes = {cte.alias_or_name.lower() for cte in expression.find_all(exp.CTE)}
        tables = [
            table
            for table in expression.find_all(exp.Table)
            if isinstance(table.this, exp.Identifier) and _table_name(table) not in ctes
        ]
        temp = [table for table in tables if self._is_temp(table)]
        return temp, [table for table in tables if not self._is_temp(table)]

    def inline(self, expression: exp.Expression) -> exp.Expression:
        """`expression` with each temporary table it reads next to data source tables
        turned into a CTE of literal rows, so the query runs on the data source's engine
        through governance like any other. Filter tables are small; one over
        MAX_INLINE_ROWS rows is refused. Returns `expression` itself when nothing changes."""
        temp, other = self._split_tables(expression)
        if not temp or not other or not isinstance(expression, exp.Query):
            return expression
        statement = expression.copy()
        for name in sorted({_table_name(table) for table in temp}):
            rows = self._rows(name)
            if rows.num_rows > MAX_INLINE_ROWS:
                raise FeatureNotSupported(
                    f'temporary table "{name}" has more than {MAX_INLINE_ROWS} rows to join '
                    "with data source tables"
                )
            statement = statement.with_(
                exp.to_identifier(name, quoted=True), as_=_literal_select(rows)
            )
        for table in statement.find_all(exp.Table):
            if self._is_temp(table):
                table.set("db", None)
                table.set("this", exp.to_identifier(_table_name(table), quoted=True))
        return statement

    def _rows(self, name: str) -> pa.Table:
        """The table's rows, at most one over MAX_INLINE_ROWS."""
        quoted = exp.to_identifier(name, quoted=True).sql(dialect="duckdb")
        sql = f"SELECT * FROM {quoted} LIMIT {MAX_INLINE_ROWS + 1}"
        return self._db().sql(sql).to_arrow_table()

    def _is_temp(self, table: exp.Table) -> bool:
        return table.db.lower() in _TEMP_SCHEMAS and _table_name(table) in self.tables

    def execute(
        self, expression: exp.Expression, fetch: Fetch = fetch_all
    ) -> tuple[pa.Table | None, str]:
        """Run a statement on the temporary tables: (rows or None, command tag). `fetch`
        runs it (a client's statement: bounded and cancellable, see pgwire.local_duckdb)."""
        statement = expression.copy()
        if isinstance(statement, exp.Table):
            statement = exp.select("*").from_(statement)
        for table in statement.find_all(exp.Table):
            if table.db.lower() == "pg_temp":
                table.set("db", None)
        try:
            rows = fetch(self._db(), statement.sql(dialect="duckdb"))
        except duckdb.Error as error:
            raise PgError(str(error).splitlines()[0], sqlstate=sqlstate_of(error)) from error
        return self._after(statement, rows)

    def _after(
        self, statement: exp.Expression, rows: pa.Table | None
    ) -> tuple[pa.Table | None, str]:
        if isinstance(statement, exp.Create):
            self.tables.add(_table_name(statement.find(exp.Table)))  # type: ignore[arg-type]
            return None, "CREATE TABLE"
        if isinstance(statement, exp.Drop):
            self.tables.discard(_table_name(statement.find(exp.Table)))  # type: ignore[arg-type]
            return None, "DROP TABLE"
        count = _count(rows)
        if isinstance(statement, exp.Insert):
            return None, f"INSERT 0 {count}"
        if isinstance(statement, exp.Delete):
            return None, f"DELETE {count}"
        if isinstance(statement, exp.Update):
            return None, f"UPDATE {count}"
        return rows, f"SELECT {rows.num_rows if rows is not None else 0}"

    def create_from(self, target: exp.Table, rows: pa.Table) -> None:
        """`SELECT … INTO target`: a temporary table holding `rows`."""
        name = exp.to_identifier(target.name, quoted=True).sql(dialect="duckdb")
        db = self._db()
        db.register("dw_select_into", rows)
        try:
            db.execute(f"CREATE TEMPORARY TABLE {name} AS SELECT * FROM dw_select_into")
        finally:
            db.unregister("dw_select_into")
        self.tables.add(target.name.lower())

    def drop_all(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self.tables.clear()


def _literal_select(rows: pa.Table) -> exp.Select:
    """SELECT … FROM (VALUES …) with the table's column names and types."""
    names = [exp.to_identifier(name, quoted=True) for name in rows.column_names]
    types = [_sql_type(column_type(field)) for field in rows.schema]
    if rows.num_rows == 0:
        nulls = [
            exp.cast(exp.Null(), kind).as_(name) for name, kind in zip(names, types, strict=True)
        ]
        return exp.select(*nulls).where(exp.false())
    projections = [
        exp.cast(exp.column(f"c{index}"), kind).as_(name)
        for index, (name, kind) in enumerate(zip(names, types, strict=True))
    ]
    values = exp.values(
        [tuple(_literal(item) for item in row.values()) for row in rows.to_pylist()],
        alias="t",
        columns=[f"c{index}" for index in range(rows.num_columns)],
    )
    return exp.select(*projections).from_(values)


def _sql_type(column: ColumnType) -> exp.DataType:
    return exp.DataType.build(SQL_TYPES.get(column.pg_type.name, "TEXT"), dialect="postgres")


def _literal(value: object) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(repr(value))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, Decimal):
        return exp.Literal.number(str(value))
    return exp.Literal.string(str(value))


def _count(rows: pa.Table | None) -> int:
    """Rows a DML statement affected (DuckDB answers with one `Count` row)."""
    if rows is None or rows.num_rows == 0 or rows.num_columns == 0:
        return 0
    value = rows.column(0)[0].as_py()
    return int(value) if isinstance(value, int) else 0
