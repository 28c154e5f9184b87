"""`'name'::regclass` and its kin, looked up while the statement is rewritten.

PostgreSQL reads a reg* literal when it parses the statement and fails the statement when
the name names nothing; clients rely on that error (psql's `\\sf x` and `\\sv x` report
`function "x" does not exist`). The casts of other text (a column) stay lookups that yield
NULL for an unknown name (rewrite.rewrite_reg_casts).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from connectors.errors import EngineError, UndefinedObject
from pgwire.catalog.lookups import Lookups
from pgwire.types.engine import pg_type_name


def _regclass(lookups: Lookups, text: str) -> int:
    oid = lookups.to_regclass(text)
    if oid is None:
        raise UndefinedObject(f'relation "{text}" does not exist')
    return oid


def _regtype(lookups: Lookups, text: str) -> int:
    oid = lookups.to_regtype(text)
    if oid is None:
        raise EngineError(f'type "{text}" does not exist', sqlstate="42704")
    return oid


def _regproc(lookups: Lookups, text: str) -> int:
    if text.strip().isdigit():
        return int(text)
    found = lookups.procs_named(text)
    if len(found) > 1:
        raise EngineError(f'more than one function named "{text}"', sqlstate="42725")
    if not found:
        raise EngineError(f'function "{text}" does not exist', sqlstate="42883")
    return found[0]


def _regprocedure(lookups: Lookups, text: str) -> int:
    oid = lookups.to_regprocedure(text)
    if oid is None:
        raise EngineError(f'function "{text}" does not exist', sqlstate="42883")
    return oid


def _regnamespace(lookups: Lookups, text: str) -> int:
    oid = lookups.to_regnamespace(text)
    if oid is None:
        raise EngineError(f'schema "{text}" does not exist', sqlstate="3F000")
    return oid


REG_INPUTS: dict[str, Callable[[Lookups, str], int]] = {
    "regclass": _regclass,
    "regtype": _regtype,
    "regproc": _regproc,
    "regprocedure": _regprocedure,
    "regnamespace": _regnamespace,
}


def resolve_reg_literals(tree: exp.Expression, lookups: Lookups) -> exp.Expression:
    """`'pg_class'::regclass` → `1259::regclass`, the OID found now.

    Raises UndefinedObject (42P01) for an unknown relation, EngineError with PostgreSQL's
    SQLSTATE for an unknown type (42704), function (42883) or schema (3F000), and for a
    regproc naming several functions (42725).
    """
    for cast in list(tree.find_all(exp.Cast)):
        read = REG_INPUTS.get(pg_type_name(cast.to))
        if read is not None and isinstance(cast.this, exp.Literal) and cast.this.is_string:
            cast.set("this", exp.Literal.number(read(lookups, cast.this.name)))
    return tree
