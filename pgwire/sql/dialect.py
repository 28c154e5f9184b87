"""The sqlglot dialect catalog queries are parsed with: PostgreSQL, with OID types as types.

Stock sqlglot turns `oid`, `regclass`, `regtype`… into special tokens that cannot take an
array suffix, so `$1::oid[]` (asyncpg's type introspection) fails to parse. Here they are
plain user-defined type names, which parse everywhere a type may stand.
"""

from __future__ import annotations

from sqlglot import TokenType
from sqlglot.dialects.postgres import Postgres


class PostgresCatalog(Postgres):
    class Tokenizer(Postgres.Tokenizer):
        KEYWORDS = {
            word: token
            for word, token in Postgres.Tokenizer.KEYWORDS.items()
            if token != TokenType.OBJECT_IDENTIFIER
        }


DIALECT = PostgresCatalog
