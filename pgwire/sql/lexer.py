"""Lexical helpers over PostgreSQL SQL text: split a simple-Query string into statements
and tokenize the utility statements the session answers itself.

The splitter honours single quotes (with `''`), E'' strings (with backslash escapes),
double-quoted identifiers, dollar quotes, `--` comments and nested `/* */` comments, so a
`;` inside any of them never ends a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from pgwire.protocol.errors import SyntaxError_

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")


@dataclass(frozen=True)
class Statement:
    text: str  # without the terminating `;`
    offset: int  # of `text` in the whole string, 0-based


def _skip_quoted(sql: str, start: int, quote: str, backslash: bool) -> int:
    index = start + 1
    length = len(sql)
    while index < length:
        char = sql[index]
        if backslash and char == "\\":
            index += 2
            continue
        if char == quote:
            if index + 1 < length and sql[index + 1] == quote:
                index += 2
                continue
            return index + 1
        index += 1
    return length


def _skip_block_comment(sql: str, start: int) -> int:
    depth = 0
    index = start
    length = len(sql)
    while index < length:
        if sql.startswith("/*", index):
            depth += 1
            index += 2
        elif sql.startswith("*/", index):
            depth -= 1
            index += 2
            if depth == 0:
                return index
        else:
            index += 1
    return length


def _skip_dollar(sql: str, start: int) -> int | None:
    match = _DOLLAR_TAG.match(sql, start)
    if match is None or (start > 0 and (sql[start - 1].isalnum() or sql[start - 1] == "_")):
        return None
    tag = match.group(0)
    end = sql.find(tag, match.end())
    return len(sql) if end < 0 else end + len(tag)


def _skip_token(sql: str, index: int) -> int:
    """Index after the quoted string, identifier or comment starting at `index`, or
    `index` itself when none starts there."""
    char = sql[index]
    if char == "'":
        is_escape = (
            index > 0
            and sql[index - 1] in "eE"
            and (index < 2 or not (sql[index - 2].isalnum() or sql[index - 2] == "_"))
        )
        return _skip_quoted(sql, index, "'", is_escape)
    if char == '"':
        return _skip_quoted(sql, index, '"', False)
    if sql.startswith("--", index):
        end = sql.find("\n", index)
        return len(sql) if end < 0 else end + 1
    if sql.startswith("/*", index):
        return _skip_block_comment(sql, index)
    if char == "$":
        dollar_end = _skip_dollar(sql, index)
        return index if dollar_end is None else dollar_end
    return index


@lru_cache(maxsize=512)
def split_statements(sql: str) -> tuple[Statement, ...]:
    """The statements of a simple-Query string; empty ones (only whitespace/comments) are
    kept as empty text so that the caller can answer EmptyQueryResponse. Kept per
    distinct text, as clients repeat theirs."""
    statements: list[Statement] = []
    start = index = 0
    length = len(sql)
    special = re.compile(r"['\";$/-]")
    while index < length:
        match = special.search(sql, index)
        if match is None:
            break
        index = match.start()
        if sql[index] == ";":
            statements.append(_statement(sql, start, index))
            start = index = index + 1
            continue
        end = _skip_token(sql, index)
        index = end if end > index else index + 1
    tail = _statement(sql, start, length)
    if tail.text or not statements:
        statements.append(tail)
    return tuple(statements)


def _statement(sql: str, start: int, end: int) -> Statement:
    chunk = sql[start:end]
    if is_blank(chunk):
        return Statement("", start)
    stripped = chunk.lstrip()
    return Statement(stripped.rstrip(), start + len(chunk) - len(stripped))


def is_blank(sql: str) -> bool:
    """True when `sql` holds only whitespace and comments."""
    index = 0
    length = len(sql)
    while index < length:
        if sql[index].isspace():
            index += 1
        elif sql.startswith("--", index) or sql.startswith("/*", index):
            index = _skip_token(sql, index)
        else:
            return False
    return True


class TokenKind(StrEnum):
    WORD = "word"  # keyword or unquoted identifier, lower-cased
    IDENT = "ident"  # double-quoted identifier, as written
    STRING = "string"
    NUMBER = "number"
    SYMBOL = "symbol"


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    value: str
    position: int  # 0-based offset in the statement


_TOKEN = re.compile(
    r"""\s+|--[^\n]*|/\*.*?\*/
    |(?P<estring>[eE]'(?:[^'\\]|\\.|'')*')
    |(?P<string>'(?:[^']|'')*')
    |(?P<ident>"(?:[^"]|"")*")
    |(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    |(?P<word>[A-Za-z_\x80-\uffff][A-Za-z_0-9$\x80-\uffff]*)
    |(?P<symbol>[^\s])""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def tokenize(sql: str) -> list[Token]:
    """Tokens of one utility statement (any other character is a one-character symbol);
    raises SyntaxError_ (42601) for an unterminated string or identifier."""
    tokens: list[Token] = []
    index = 0
    while index < len(sql):
        match = _TOKEN.match(sql, index)
        if match is None:
            raise SyntaxError_(f'syntax error at or near "{sql[index]}"', position=index + 1)
        kind = match.lastgroup
        text = match.group(0)
        if kind == "estring":
            body = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[2:-1])
            tokens.append(Token(TokenKind.STRING, body.replace("''", "'"), index))
        elif kind == "string":
            tokens.append(Token(TokenKind.STRING, text[1:-1].replace("''", "'"), index))
        elif kind == "ident":
            tokens.append(Token(TokenKind.IDENT, text[1:-1].replace('""', '"'), index))
        elif kind is not None:
            value = text.lower() if kind == "word" else text
            tokens.append(Token(TokenKind(kind), value, index))
        index = match.end()
    return tokens


def first_word(sql: str) -> str:
    """The first keyword of a statement, lower-cased ("" when it starts otherwise)."""
    match = re.match(r"(?:\s+|--[^\n]*\n?|/\*.*?\*/|\()*([A-Za-z_]+)", sql, re.DOTALL)
    return match.group(1).lower() if match else ""
