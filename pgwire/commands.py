"""The utility statements a wire session answers itself (SET, SHOW, BEGIN, DECLARE, …),
parsed from tokens into plain commands. Everything else is a query for the catalog or the
engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pgwire.errors import FeatureNotSupported, SyntaxError_
from pgwire.sqltext import Token, TokenKind, first_word, tokenize


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
    | NoOp
)


class _Tokens:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.items = [token for token in tokenize(sql) if token.value != ";"]
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
