"""SQL from one dialect to another."""

from __future__ import annotations

from sqlglot import exp

from connectors.sql.parse import parse_statement


def transpile(sql: str, read: str, write: str) -> str:
    """`sql` (one statement in dialect `read`) rewritten in dialect `write`.

    Raises SqlSyntaxError / QueryRefused like parse_statement.
    """
    return to_dialect(parse_statement(sql, read), write)


def to_dialect(expression: exp.Expression, dialect: str) -> str:
    """`expression` as SQL text in `dialect` (what `expression.sql(dialect)` gives).

    A bare `SHOW x` that the target dialect's generator cannot write comes back as
    `SHOW x` rather than an empty string.
    """
    sql = expression.sql(dialect=dialect)
    if not sql and isinstance(expression, exp.Show):
        return f"SHOW {expression.name}"
    return sql
