"""The utility statements a wire session answers itself (SET, SHOW, BEGIN, DECLARE,
COPY … TO STDOUT, …), parsed from tokens into plain commands. Everything else is a query
for the catalog or the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from connectors.errors import QueryRefused
from connectors.sql.parse import refusal_message
from pgwire.encoding.copy import CopyOptions
from pgwire.protocol.errors import FeatureNotSupported, SyntaxError_
from pgwire.sql.lexer import Token, TokenKind, first_word, tokenize


@dataclass(frozen=True)
class SetParameter:
    name: str
    value: str | None  # None: DEFAULT
    is_local: bool = False


@dataclass(frozen=True)
class ResetParameter:
    name: str | None  # None: RESET ALL


@dataclass(frozen=True)
class ShowParameter:
    name: str  # "all" for SHOW ALL


@dataclass(frozen=True)
class Begin:
    pass


@dataclass(frozen=True)
class Commit:
    pass


@dataclass(frozen=True)
class Rollback:
    pass


@dataclass(frozen=True)
class Savepoint:
    name: str


@dataclass(frozen=True)
class Release:
    name: str


@dataclass(frozen=True)
class RollbackTo:
    name: str


@dataclass(frozen=True)
class Discard:
    what: str  # all | plans | sequences | temp


@dataclass(frozen=True)
class DeclareCursor:
    name: str
    query: str
    query_offset: int
    with_hold: bool
    is_binary: bool


@dataclass(frozen=True)
class FetchCursor:
    name: str
    count: int | None  # None: ALL
    is_move: bool
    is_backward: bool = False


@dataclass(frozen=True)
class CloseCursor:
    name: str | None  # None: CLOSE ALL


@dataclass(frozen=True)
class Deallocate:
    name: str | None  # None: DEALLOCATE ALL


@dataclass(frozen=True)
class CopyTo:
    """`COPY table|(query) TO STDOUT [WITH] options`: the query's rows as COPY data."""

    query: str
    query_offset: int
    options: CopyOptions


@dataclass(frozen=True)
class NoOp:
    """Accepted and ignored (LISTEN/UNLISTEN, SET TRANSACTION …); answered with `tag`."""

    tag: str


Command = (
    SetParameter
    | ResetParameter
    | ShowParameter
    | Begin
    | Commit
    | Rollback
    | Savepoint
    | Release
    | RollbackTo
    | Discard
    | DeclareCursor
    | FetchCursor
    | CloseCursor
    | Deallocate
    | CopyTo
    | NoOp
)


class _Tokens:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.items = [
            token
            for token in tokenize(sql)
            if not (token.kind == TokenKind.SYMBOL and token.value == ";")
        ]
        self.index = 0

    def peek(self, offset: int = 0) -> Token | None:
        position = self.index + offset
        return self.items[position] if position < len(self.items) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise SyntaxError_("syntax error at end of input", position=len(self.sql) + 1)
        self.index += 1
        return token

    def accept(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == TokenKind.WORD and token.value in words:
            self.index += 1
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            self.fail()

    def fail(self) -> None:
        token = self.peek()
        if token is None:
            raise SyntaxError_("syntax error at end of input", position=len(self.sql) + 1)
        raise SyntaxError_(f'syntax error at or near "{token.value}"', position=token.position + 1)

    def name(self) -> str:
        token = self.take()
        if token.kind not in (TokenKind.WORD, TokenKind.IDENT):
            self.index -= 1
            self.fail()
        return token.value

    def dotted_name(self) -> str:
        parts = [self.name()]
        while (token := self.peek()) is not None and token.value == ".":
            self.take()
            parts.append(self.name())
        return ".".join(parts)

    def at_end(self) -> bool:
        return self.peek() is None

    def end(self) -> None:
        if not self.at_end():
            self.fail()

    def rest_text(self) -> tuple[str, int]:
        token = self.peek()
        if token is None:
            return "", len(self.sql)
        return self.sql[token.position :].rstrip().rstrip(";").rstrip(), token.position


def _value(tokens: _Tokens) -> str:
    """A SET value list: words, strings and numbers joined as PostgreSQL shows them."""
    parts: list[str] = []
    while not tokens.at_end():
        token = tokens.take()
        if token.value == ",":
            continue
        if token.kind == TokenKind.IDENT and token.value.lower() != token.value:
            parts.append(f'"{token.value}"')
        else:
            parts.append(token.value)
    if not parts:
        tokens.fail()
    return ", ".join(parts)


def _parse_set(tokens: _Tokens) -> Command:
    is_local = tokens.accept("local")
    tokens.accept("session")
    if tokens.accept("transaction") or tokens.accept("characteristics"):
        return NoOp("SET")
    if tokens.accept("time"):
        tokens.expect("zone")
        name = "TimeZone"
    elif tokens.accept("names"):
        name = "client_encoding"
    elif tokens.accept("role", "authorization"):
        return NoOp("SET")
    else:
        name = tokens.dotted_name()
        token = tokens.peek()
        if token is None or not (token.value == "=" or token.value == "to"):
            tokens.fail()
        tokens.take()
    if tokens.accept("default") and tokens.at_end():
        return SetParameter(name, None, is_local)
    if name == "TimeZone" and tokens.accept("local") and tokens.at_end():
        return SetParameter(name, None, is_local)
    return SetParameter(name, _value(tokens), is_local)


def _parse_reset(tokens: _Tokens) -> Command:
    if tokens.accept("all"):
        tokens.end()
        return ResetParameter(None)
    if tokens.accept("time"):
        tokens.expect("zone")
        return ResetParameter("TimeZone")
    if tokens.accept("session"):
        tokens.expect("authorization")
        return NoOp("RESET")
    name = tokens.dotted_name()
    tokens.end()
    return ResetParameter(name)


def _parse_show(tokens: _Tokens) -> Command:
    if tokens.accept("time"):
        tokens.expect("zone")
        return ShowParameter("TimeZone")
    if tokens.accept("transaction"):
        tokens.expect("isolation")
        tokens.expect("level")
        return ShowParameter("transaction_isolation")
    if tokens.accept("session"):
        tokens.expect("authorization")
        return ShowParameter("session_authorization")
    name = tokens.dotted_name()
    tokens.end()
    return ShowParameter(name)


def _parse_begin(tokens: _Tokens) -> Command:
    tokens.accept("work", "transaction")
    return Begin()


def _parse_start(tokens: _Tokens) -> Command:
    tokens.expect("transaction")
    return Begin()


def _parse_commit(tokens: _Tokens) -> Command:
    tokens.accept("work", "transaction")
    if tokens.accept("prepared"):
        raise FeatureNotSupported("prepared transactions are not supported")
    return Commit()


def _parse_rollback(tokens: _Tokens) -> Command:
    tokens.accept("work", "transaction")
    if tokens.accept("to"):
        tokens.accept("savepoint")
        name = tokens.name()
        tokens.end()
        return RollbackTo(name)
    if tokens.accept("prepared"):
        raise FeatureNotSupported("prepared transactions are not supported")
    return Rollback()


def _parse_savepoint(tokens: _Tokens) -> Command:
    name = tokens.name()
    tokens.end()
    return Savepoint(name)


def _parse_release(tokens: _Tokens) -> Command:
    tokens.accept("savepoint")
    name = tokens.name()
    tokens.end()
    return Release(name)


def _parse_discard(tokens: _Tokens) -> Command:
    what = tokens.take().value
    if what not in ("all", "plans", "sequences", "temp", "temporary"):
        tokens.index -= 1
        tokens.fail()
    tokens.end()
    return Discard("temp" if what == "temporary" else what)


def _parse_declare(tokens: _Tokens) -> Command:
    name = tokens.name()
    is_binary = False
    while True:
        if tokens.accept("binary"):
            is_binary = True
        elif tokens.accept("scroll"):
            raise FeatureNotSupported("SCROLL cursors are not supported; use NO SCROLL")
        elif not (tokens.accept("insensitive", "asensitive") or _accept_no_scroll(tokens)):
            break
    tokens.expect("cursor")
    with_hold = False
    if tokens.accept("with"):
        tokens.expect("hold")
        with_hold = True
    elif tokens.accept("without"):
        tokens.expect("hold")
    tokens.expect("for")
    query, offset = tokens.rest_text()
    if not query:
        tokens.fail()
    return DeclareCursor(name, query, offset, with_hold, is_binary)


def _accept_no_scroll(tokens: _Tokens) -> bool:
    token, following = tokens.peek(), tokens.peek(1)
    if token is not None and token.value == "no" and following and following.value == "scroll":
        tokens.index += 2
        return True
    return False


def _count(tokens: _Tokens) -> int | None:
    token = tokens.peek()
    if token is not None and token.kind == TokenKind.NUMBER:
        tokens.take()
        return int(token.value)
    if tokens.accept("all"):
        return None
    return 1


def _parse_fetch_like(is_move: bool) -> Callable[[_Tokens], Command]:
    def parse(tokens: _Tokens) -> Command:
        count: int | None = 1
        is_backward = False
        if tokens.accept("next"):
            count = 1
        elif tokens.accept("forward"):
            count = _count(tokens)
        elif tokens.accept("backward", "prior", "first", "last", "absolute", "relative"):
            raise FeatureNotSupported("only forward FETCH and MOVE are supported")
        elif tokens.accept("all"):
            count = None
        elif (token := tokens.peek()) is not None and token.kind == TokenKind.NUMBER:
            count = int(tokens.take().value)
            if count < 0:
                raise FeatureNotSupported("only forward FETCH and MOVE are supported")
        tokens.accept("from", "in")
        name = tokens.name()
        tokens.end()
        return FetchCursor(name, count, is_move, is_backward)

    return parse


def _parse_close(tokens: _Tokens) -> Command:
    if tokens.accept("all"):
        tokens.end()
        return CloseCursor(None)
    name = tokens.name()
    tokens.end()
    return CloseCursor(name)


def _parse_deallocate(tokens: _Tokens) -> Command:
    tokens.accept("prepare")
    if tokens.accept("all"):
        return Deallocate(None)
    return Deallocate(tokens.name())


def _parse_copy(tokens: _Tokens) -> Command:
    query, offset = _copy_source(tokens)
    if tokens.accept("from"):
        raise QueryRefused(refusal_message("COPY FROM"))
    tokens.expect("to")
    if not tokens.accept("stdout"):
        raise QueryRefused("COPY to a file or a program is not allowed; use COPY … TO STDOUT")
    options = _copy_options(tokens)
    tokens.end()
    if options.format == "binary":
        raise FeatureNotSupported("COPY in binary format is not supported; use text or csv")
    return CopyTo(query, offset, options)


def _copy_source(tokens: _Tokens) -> tuple[str, int]:
    """The query a COPY reads: `(query)` as written, or a table's (listed) columns."""
    start = tokens.peek()
    if start is not None and start.value == "(":
        depth = 0
        while True:
            token = tokens.take()
            depth += {"(": 1, ")": -1}.get(token.value, 0)
            if depth == 0:
                break
        return tokens.sql[start.position + 1 : token.position].strip(), start.position + 1
    table = _quoted_name(tokens)
    columns = ["*"]
    if (following := tokens.peek()) is not None and following.value == "(":
        tokens.take()
        columns = [_quoted_name(tokens)]
        while tokens.take().value == ",":
            columns.append(_quoted_name(tokens))
        if tokens.items[tokens.index - 1].value != ")":
            tokens.index -= 1
            tokens.fail()
    return f"SELECT {', '.join(columns)} FROM {table}", 0


def _quoted_name(tokens: _Tokens) -> str:
    """A (dotted) name as double-quoted identifiers that resolve as the name did."""
    parts = [tokens.name()]
    while (token := tokens.peek()) is not None and token.value == ".":
        tokens.take()
        parts.append(tokens.name())
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _copy_options(tokens: _Tokens) -> CopyOptions:
    """`WITH (FORMAT csv, HEADER, …)` or the older `WITH CSV HEADER DELIMITER ','`."""
    tokens.accept("with")
    values: dict[str, str] = {}
    if (token := tokens.peek()) is not None and token.value == "(":
        tokens.take()
        while True:
            name = tokens.name()
            value = _option_value(tokens)
            values[name] = value
            if tokens.take().value != ",":
                break
        if tokens.items[tokens.index - 1].value != ")":
            tokens.index -= 1
            tokens.fail()
    else:
        while not tokens.at_end():
            word = tokens.name()
            if word in ("binary", "csv"):
                values["format"] = word
            elif word == "header":
                values["header"] = "true"
            elif word == "force":
                tokens.expect("quote")
                values["force_quote"] = _option_value(tokens)
            else:
                tokens.accept("as")
                values[word] = tokens.take().value
    return _options_from(values)


def _option_value(tokens: _Tokens) -> str:
    """An option's value: a word, string or number, `*`, a column list, or none (true)."""
    token = tokens.peek()
    if token is None or token.value in (",", ")"):
        return "true"
    if token.value == "(":
        tokens.take()
        names = [tokens.name()]
        while tokens.take().value == ",":
            names.append(tokens.name())
        return ",".join(names)
    return tokens.take().value


def _options_from(values: dict[str, str]) -> CopyOptions:
    known = {"format", "header", "delimiter", "null", "quote", "escape", "force_quote", "encoding"}
    for name in values:
        if name not in known:
            raise SyntaxError_(f'option "{name}" not recognized')
    fmt = values.get("format", "text").lower()
    if fmt not in ("text", "csv", "binary"):
        raise SyntaxError_(f'COPY format "{fmt}" not recognized')
    if values.get("encoding", "utf8").lower().replace("-", "") != "utf8":
        raise FeatureNotSupported("COPY only writes UTF8")
    is_csv = fmt == "csv"
    force = values.get("force_quote")
    delimiter = values.get("delimiter", "," if is_csv else "\t")
    quote = values.get("quote", '"')
    return CopyOptions(
        format=fmt,
        header=values.get("header", "false").lower() in ("true", "on", "1", "match"),
        delimiter=delimiter,
        null=values.get("null", "" if is_csv else "\\N"),
        quote=quote,
        escape=values.get("escape", quote),
        force_quote=None if force is None else (() if force == "*" else tuple(force.split(","))),
    )


_PARSERS: dict[str, Callable[[_Tokens], Command]] = {
    "set": _parse_set,
    "reset": _parse_reset,
    "show": _parse_show,
    "begin": _parse_begin,
    "start": _parse_start,
    "commit": _parse_commit,
    "end": _parse_commit,
    "rollback": _parse_rollback,
    "abort": _parse_rollback,
    "savepoint": _parse_savepoint,
    "release": _parse_release,
    "discard": _parse_discard,
    "declare": _parse_declare,
    "fetch": _parse_fetch_like(is_move=False),
    "move": _parse_fetch_like(is_move=True),
    "close": _parse_close,
    "deallocate": _parse_deallocate,
    "copy": _parse_copy,
    "listen": lambda tokens: NoOp("LISTEN"),
    "unlisten": lambda tokens: NoOp("UNLISTEN"),
}


def parse_command(sql: str) -> Command | None:
    """The session command `sql` is, or None when it is a query for the catalog or engine.

    Raises SyntaxError_ (with a 1-based position) for a malformed session command.
    """
    word = first_word(sql)
    parser = _PARSERS.get(word)
    if parser is None:
        return None
    tokens = _Tokens(sql)
    tokens.take()
    return parser(tokens)
