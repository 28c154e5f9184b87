"""PostgreSQL's quoting of identifiers and literals in the text its catalog functions return,
and format(), which quotes both."""

from __future__ import annotations

import re
from functools import cache

from pgwire.catalog.builtin_rows import DATA

PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


@cache
def quoted_keywords() -> frozenset[str]:
    """Keywords PostgreSQL 16 quotes as identifiers: all but the unreserved ones
    (`pg_get_keywords()` where catcode <> 'U')."""
    return frozenset((DATA / "quoted_keywords.txt").read_text().split())


def quote_identifier(name: str) -> str:
    """`name` as PostgreSQL's quote_ident() writes it: bare when it reads back the same."""
    if PLAIN_IDENTIFIER.fullmatch(name) and name not in quoted_keywords():
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_qualified(schema: str, name: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(name)}"


def quote_literal(text: str) -> str:
    """`text` as PostgreSQL's quote_literal() writes it (E'…' when it holds a backslash)."""
    quoted = "'" + text.replace("'", "''").replace("\\", "\\\\") + "'"
    return "E" + quoted if "\\" in text else quoted


FORMAT_SPECIFIER = re.compile(r"%(.)")


def format_text(template: str | None, arguments: list[str | None]) -> str | None:
    """PostgreSQL's format(): `%s` the value (NULL → empty), `%I` an identifier, `%L` a
    literal (NULL → NULL), `%%` a percent sign. Raises ValueError for too few arguments or
    another specifier, as PostgreSQL raises its own error."""
    if template is None:
        return None
    remaining = iter(arguments)

    def substitute(match: re.Match[str]) -> str:
        specifier = match[1]
        if specifier == "%":
            return "%"
        if specifier not in "sIL":
            raise ValueError(f'unrecognized format() type specifier "{specifier}"')
        try:
            value = next(remaining)
        except StopIteration:
            raise ValueError("too few arguments for format()") from None
        if specifier == "s":
            return value or ""
        if specifier == "L":
            return "NULL" if value is None else quote_literal(value)
        if value is None:
            raise ValueError("null values cannot be formatted as an SQL identifier")
        return quote_identifier(value)

    return FORMAT_SPECIFIER.sub(substitute, template)
