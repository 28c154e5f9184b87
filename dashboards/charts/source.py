"""The result a chart is drawn from: a DuckDB relation and the columns it has."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from dashboards.charts.columns import ColumnKind, read_columns
from dashboards.charts.errors import ChartError
from dashboards.charts.sql import quote_ident

Row = tuple[Any, ...]
Params = Sequence[Any] | Mapping[str, Any]


@dataclass(frozen=True)
class Source:
    """A relation on a DuckDB connection; `relation` is its name, already quoted for SQL."""

    con: duckdb.DuckDBPyConnection
    relation: str
    columns: dict[str, ColumnKind]
    max_points: int

    @classmethod
    def open(cls, con: duckdb.DuckDBPyConnection, relation: str, *, max_points: int) -> Source:
        """Describe the table or view named `relation` on `con`.

        Raises `ChartError` when no such relation is visible on `con`.
        """
        quoted = quote_ident(relation)
        try:
            columns = read_columns(con, quoted)
        except duckdb.Error as exc:
            raise ChartError(f"the result {relation!r} cannot be read: {exc}") from exc
        return cls(con=con, relation=quoted, columns=columns, max_points=max_points)

    def kind(self, column: str) -> ColumnKind:
        return self.columns[column]

    def rows(self, sql: str, params: Params = ()) -> list[Row]:
        """Run `sql` with its parameters (``?`` or ``$name``) and fetch every row.

        Raises `ChartError` with DuckDB's message when the engine refuses the query, for
        example summing a text column.
        """
        try:
            bound = params if isinstance(params, Mapping) else list(params)
            return self.con.execute(sql, bound).fetchall()
        except duckdb.Error as exc:
            raise ChartError(f"the chart query failed: {exc}") from exc

    def one(self, sql: str, params: Params = ()) -> Row:
        """The single row `sql` returns (aggregates without GROUP BY always return one)."""
        return self.rows(sql, params)[0]
