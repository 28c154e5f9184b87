"""Text → exactly one sqlglot statement, with errors pointing into the user's text."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from connectors.errors import LimitExceeded, QueryRefused, SqlSyntaxError, StatementTooComplex

#: longer statement texts are refused before any parsing: sqlglot needs ~10 µs a token,
#: so this bounds one statement to a few seconds of CPU
MAX_STATEMENT_CHARS = 262_144

#: where parse_statement records the dialect, for passes that re-parse an EXPLAIN's body
DIALECT_META_KEY = "dialect"

# EXPLAIN options as PostgreSQL, DuckDB and Databricks spell them: a parenthesised list or
# a run of bare option words before the statement.
_EXPLAIN_OPTIONS = re.compile(
    r"^\s*(?:\([^)]*\)|(?:ANALYZE|ANALYSE|VERBOSE|EXTENDED|FORMATTED|CODEGEN|COST|LOGICAL)\b\s*)*",
    re.IGNORECASE,
)

# Statements sqlglot cannot parse in some dialects but that are certainly no reads: they
# are refused as such rather than reported as a syntax error the user cannot fix.
_UNPARSED_WRITE_WORDS = frozenset({"EXPORT", "IMPORT", "COPY", "ATTACH", "DETACH", "INSTALL"})


def refusal_message(kind: str) -> str:
    """The message every refused statement kind gets, naming the kind."""
    return (
        f"only read statements (SELECT, VALUES, SHOW, DESCRIBE, EXPLAIN) are allowed; {kind} is not"
    )


def parse_statement(sql: str, dialect: str) -> exp.Expression:
    """Parse `sql` written in `dialect` into exactly one statement.

    Raises SqlSyntaxError (with the 1-based character position in `sql` when sqlglot
    knows it) if the text does not parse or holds no statement, QueryRefused if it
    holds several statements, and LimitExceeded / StatementTooComplex (SQLSTATE 54000 /
    54001) if it is longer than MAX_STATEMENT_CHARS or nests too deeply.
    """
    statements = parse_statements(sql, dialect)
    if not statements:
        raise SqlSyntaxError("the query is empty")
    if len(statements) > 1:
        raise QueryRefused(
            f"the text holds several statements ({len(statements)}); run one at a time"
        )
    statement = statements[0]
    if not isinstance(statement, exp.Expression):
        raise SqlSyntaxError(f"not a statement: {statement.sql(dialect=dialect)}")
    statement.meta[DIALECT_META_KEY] = dialect
    return statement


def parse_statements(sql: str, dialect: str) -> list[exp.Expr]:
    """Every statement of `sql`, within the bounds parse_statement names; raises like it."""
    check_statement_length(sql)
    try:
        return [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except ParseError as error:
        first_word = sql.split(None, 1)[0].upper() if sql.strip() else ""
        if first_word in _UNPARSED_WRITE_WORDS:
            raise QueryRefused(refusal_message(first_word)) from error
        raise syntax_error(error, sql) from error
    except RecursionError as error:
        raise too_complex() from error


def check_statement_length(sql: str) -> None:
    """Raise LimitExceeded (54000) when `sql` is longer than MAX_STATEMENT_CHARS."""
    if len(sql) > MAX_STATEMENT_CHARS:
        raise LimitExceeded(
            f"the statement is {len(sql):,} characters long; at most "
            f"{MAX_STATEMENT_CHARS:,} are accepted"
        )


def too_complex() -> StatementTooComplex:
    return StatementTooComplex(
        "the statement nests too deeply to be analysed (parentheses, subqueries or "
        "expressions within each other); simplify it"
    )


def explain_options(command: exp.Command) -> str:
    """The options of an `EXPLAIN …` command (`ANALYZE `, `(FORMAT JSON) ` …), as written."""
    body = command.expression.name if command.expression else ""
    match = _EXPLAIN_OPTIONS.match(body)
    return body[: match.end()] if match else ""


def explained_statement(command: exp.Command) -> exp.Expression | None:
    """The statement an `EXPLAIN …` command explains, or None if `command` is no EXPLAIN.

    sqlglot keeps EXPLAIN as an opaque command in most dialects; this re-parses its body in
    the dialect parse_statement recorded. Raises SqlSyntaxError if the body does not parse.
    """
    if command.name.upper() != "EXPLAIN":
        return None
    body = _EXPLAIN_OPTIONS.sub("", command.expression.name if command.expression else "")
    return parse_statement(body, str(command.meta.get(DIALECT_META_KEY, "")))


def syntax_error(error: ParseError, sql: str) -> SqlSyntaxError:
    """Translate a sqlglot ParseError into SqlSyntaxError pointing at the offending token."""
    details = error.errors[0] if error.errors else {}
    message = str(details.get("description") or error)
    line, col = details.get("line"), details.get("col")
    if not isinstance(line, int) or not isinstance(col, int):
        return SqlSyntaxError(message)
    highlight = str(details.get("highlight") or "")
    return SqlSyntaxError(message, position=position_of(sql, line, col - len(highlight) + 1))


def position_of(sql: str, line: int, col: int) -> int:
    """The 1-based character position of 1-based `line`/`col` in `sql`, clamped to it."""
    lines = sql.split("\n")
    line = min(max(line, 1), len(lines))
    offset = sum(len(text) + 1 for text in lines[: line - 1])
    return min(offset + max(col, 1), max(len(sql), 1))
