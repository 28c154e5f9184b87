"""Statements whose result is fixed by their text: a SELECT without FROM over literals,
casts and operators (`SELECT 1`, `SELECT 'ok' AS ping`, `SELECT 2 * 21`) — what BI tools
and connection pools send to check a connection, many times a second."""

from __future__ import annotations

from sqlglot import exp

_CONSTANT_NODES = (
    exp.Select,
    exp.Alias,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Cast,
    exp.DataType,
    exp.DataTypeParam,
    exp.Paren,
    exp.Neg,
    exp.Not,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.And,
    exp.Or,
    exp.DPipe,
    exp.Limit,
)


def is_constant(statement: exp.Expression) -> bool:
    """True when running `statement` can only ever give one result: it reads no table and
    calls no function (so nothing volatile like now() or random())."""
    return (
        isinstance(statement, exp.Select)
        and not statement.args.get("from")
        and all(isinstance(node, _CONSTANT_NODES) for node in statement.walk())
    )
