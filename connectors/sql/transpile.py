"""SQL from one dialect to another."""

from __future__ import annotations

from sqlglot import exp

from connectors.sql.parse import DIALECT_META_KEY
from connectors.sql.postgres_semantics import with_postgres_semantics


def to_dialect(expression: exp.Expression, dialect: str) -> str:
    """`expression` as SQL text in `dialect` (what `expression.sql(dialect)` gives).

    A statement parse_statement read as PostgreSQL keeps PostgreSQL's meaning on DuckDB
    (see postgres_semantics). A bare `SHOW x` that the target dialect's generator cannot
    write comes back as `SHOW x` rather than an empty string.
    """
    if dialect == "duckdb" and expression.meta.get(DIALECT_META_KEY) == "postgres":
        expression = with_postgres_semantics(expression)
    sql = expression.sql(dialect=dialect)
    if not sql and isinstance(expression, exp.Show):
        return f"SHOW {expression.name}"
    return sql
