"""Preparing a statement: what it is (a session command, a catalog query, a settings
function call or a query for the engine) and the types of its parameters. SQL is parsed
once per distinct text (an LRU cache keeps prepared-statement loops cheap)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import pyarrow as pa
from sqlglot import exp, parse_one
from sqlglot.errors import ParseError, TokenError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from connectors.base import TableInfo
from connectors.sql.parse import check_statement_length, too_complex
from pgwire.catalog import is_catalog_statement
from pgwire.session.command_parser import Command, parse_command
from pgwire.sql.dialect import DIALECT
from pgwire.sql.lexer import TokenKind, first_word, is_blank, tokenize
from pgwire.sql.parameters import infer_parameter_types
from pgwire.types.builtin import TYPES_BY_NAME, TYPES_BY_OID, PgType

SETTINGS_FUNCTIONS = frozenset({"set_config", "current_setting"})


class Route(StrEnum):
    EMPTY = "empty"
    COMMAND = "command"
    SETTINGS = "settings"
    CATALOG = "catalog"
    ENGINE = "engine"


@dataclass
class Prepared:
    sql: str
    route: Route
    command: Command | None = None
    # shared with other statements of the same text: read it, copy it before changing it
    expression: exp.Expression | None = None  # None for commands and unparsable SQL
    param_types: list[PgType] = field(default_factory=list)
    schema: pa.Schema | None = None  # result schema once described
    names: list[str] | None = None


@lru_cache(maxsize=512)
def _analyse(sql: str) -> tuple[exp.Expression | None, Route, bool]:
    """(tree, route, whether it has `$n` parameters) of a query text, parsed once per
    distinct text. The tree is None when sqlglot cannot parse it (the engine then
    reports the syntax error with its position)."""
    try:
        tree = parse_one(sql, read=DIALECT)
    except (ParseError, TokenError, ValueError):
        return None, Route.ENGINE, False
    except RecursionError as error:  # nested deeper than the parser can walk
        raise too_complex() from error
    if not isinstance(tree, exp.Expression):
        return None, Route.ENGINE, False
    try:
        # PostgreSQL folds unquoted names to lower case (Power BI: INFORMATION_SCHEMA.TABLES)
        tree = normalize_identifiers(tree, dialect="postgres")
        return tree, _route(tree), tree.find(exp.Parameter) is not None
    except RecursionError as error:
        raise too_complex() from error


def _is_settings_call(node: exp.Expression) -> bool:
    node = node.this if isinstance(node, exp.Alias) else node
    return isinstance(node, exp.Anonymous) and str(node.name).lower() in SETTINGS_FUNCTIONS


def is_settings_query(expression: exp.Expression) -> bool:
    """`SELECT set_config(…)` / `SELECT current_setting(…)` without FROM: answered from
    the session's own parameters, since SET and set_config must agree."""
    return (
        isinstance(expression, exp.Select)
        and not expression.args.get("from")
        and bool(expression.expressions)
        and all(_is_settings_call(node) for node in expression.expressions)
    )


def _route(expression: exp.Expression) -> Route:
    if is_settings_query(expression):
        return Route.SETTINGS
    if is_catalog_statement(expression):
        return Route.CATALOG
    return Route.ENGINE


def _without_local(sql: str) -> str:
    """`CREATE LOCAL TEMPORARY TABLE` (Tableau) as `CREATE TEMPORARY TABLE`: LOCAL is a
    no-op in PostgreSQL that sqlglot does not parse."""
    if first_word(sql) != "create":
        return sql
    tokens = tokenize(sql)
    words = [token.value for token in tokens[:3] if token.kind == TokenKind.WORD]
    if words[:2] != ["create", "local"] or len(tokens) < 3:
        return sql
    return sql[: tokens[1].position] + sql[tokens[2].position :]


def prepare(sql: str, declared_oids: Sequence[int], tables: Sequence[TableInfo]) -> Prepared:
    """Classify `sql` (one statement) and type its parameters.

    Raises SyntaxError_/FeatureNotSupported for a malformed session command,
    LimitExceeded (54000) for a text over MAX_STATEMENT_CHARS and StatementTooComplex
    (54001) for one nested too deeply to analyse.
    """
    check_statement_length(sql)
    declared = [TYPES_BY_OID.get(oid, TYPES_BY_NAME["text"]) for oid in declared_oids]
    if is_blank(sql):
        return Prepared(sql, Route.EMPTY, param_types=declared)
    command = parse_command(sql)
    if command is not None:
        return Prepared(sql, Route.COMMAND, command=command, param_types=declared)
    expression, route, has_parameters = _analyse(_without_local(sql))
    types = declared
    if expression is not None and (has_parameters or declared_oids):
        types = infer_parameter_types(expression, declared_oids, tables)
    return Prepared(sql, route, expression=expression, param_types=types)
