"""PostgreSQL's meaning kept when a statement written in PostgreSQL's dialect runs on DuckDB.

sqlglot translates the syntax; these passes fix what the same syntax means differently
there, rewriting the tree before DuckDB SQL is generated from it:

1. `a / b` divides integers by truncating (DuckDB's `/` always divides as floats) and
   raises on a zero divisor (DuckDB's `/` gives Infinity or NULL): DuckDB's `//` does both,
   and divides other numbers as `/` does. Intervals have no `//`, so a division of one is
   left alone — and, as column types are not known here, so is a division of a difference
   of two non-literals (timestamp - timestamp is an interval; integers then divide
   exactly, where PostgreSQL truncates). So is a division of a sum, which DuckDB makes
   HUGEINT from integers where PostgreSQL makes numeric from bigint (most DuckDB
   integers): `//` would truncate what PostgreSQL divides exactly.
2. `EXTRACT(SECOND …)` keeps the fraction of the second (DuckDB drops it).
3. `percentile_cont` interpolates in double precision (DuckDB keeps a decimal's scale,
   so the median of 0.00 and 0.01 would be 0.00).
4. A cast to `varchar(n)` or `char(n)` cuts the text to n characters (DuckDB ignores n).
5. `length` and `strpos`/`position` count in `integer`, not DuckDB's `bigint`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

_MICROSECOND = exp.Literal.number("0.000001")
# seconds with their microseconds, as PostgreSQL's numeric result shows them: 59.500000
_SECONDS_TYPE = exp.DataType.build("DECIMAL(8, 6)")
_SECOND_FIELDS = frozenset({"SECOND", "SECONDS"})
_CUT_STRING_TYPES = (exp.DType.VARCHAR, exp.DType.CHAR)


def with_postgres_semantics(expression: exp.Expression) -> exp.Expression:
    """A copy of `expression` (parsed as PostgreSQL) that means the same on DuckDB."""
    statement = expression.copy()
    # innermost first: a rewrite builds on its operands' rewritten forms
    for node in reversed(list(statement.walk())):
        rewritten = node
        for rewrite in _PASSES:
            rewritten = rewrite(rewritten)
        if rewritten is not node:
            node.replace(rewritten)
    return statement


def _may_be_interval(node: exp.Expr) -> bool:
    return any(
        isinstance(part, exp.Interval)
        or (isinstance(part, exp.Cast) and part.to.is_type(exp.DType.INTERVAL))
        or (
            isinstance(part, exp.Sub)
            and not isinstance(part.this, exp.Literal)
            and not isinstance(part.expression, exp.Literal)
        )
        for part in node.walk()
    )


def _is_sum(node: exp.Expr) -> bool:
    inner = node.unnest()
    inner = inner.this if isinstance(inner, exp.Window) else inner
    return isinstance(inner, exp.Sum)


def _truncating_division(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, exp.Div) or not node.args.get("typed"):
        return node
    operands = (node.this, node.expression)
    if any(_may_be_interval(operand) or _is_sum(operand) for operand in operands):
        return node
    return exp.IntDiv(this=node.this, expression=node.expression)


def _fractional_seconds(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, exp.Extract) or node.name.upper() not in _SECOND_FIELDS:
        return node
    microseconds = exp.Extract(this=exp.var("MICROSECOND"), expression=node.expression)
    return exp.cast(
        exp.Mul(this=microseconds, expression=_MICROSECOND.copy()), _SECONDS_TYPE, copy=False
    )


def _double_percentiles(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, exp.WithinGroup) or not isinstance(node.this, exp.PercentileCont):
        return node
    order = node.expression
    if isinstance(order, exp.Order):
        for ordered in order.expressions:
            ordered.set("this", exp.cast(ordered.this, exp.DType.DOUBLE, copy=False))
    return node


def _cut_string_casts(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, exp.Cast) or not node.to.is_type(*_CUT_STRING_TYPES):
        return node
    lengths = node.to.expressions
    if len(lengths) != 1:
        return node
    text = exp.cast(node.this, exp.DType.VARCHAR, copy=False)
    return exp.Left(this=text, expression=lengths[0].this.copy())


def _integer_counts(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, (exp.Length, exp.StrPosition)):
        return node
    return exp.cast(node.copy(), exp.DType.INT, copy=False)


_PASSES: tuple[Callable[[exp.Expr], exp.Expr], ...] = (
    _truncating_division,
    _fractional_seconds,
    _double_percentiles,
    _cut_string_casts,
    _integer_counts,
)
