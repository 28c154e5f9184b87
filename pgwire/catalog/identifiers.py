"""PostgreSQL's quoting of identifiers in the text its catalog functions return."""

from __future__ import annotations

import re
from functools import cache

from pgwire.catalog.types import DATA

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
