"""Rows PostgreSQL ships with, read from `data/*.json` (dumped by
tests/pgwire_catalog/dump_builtins.py from a real server).

`builtin_rows(name)` is the dump of one relation; the `*_rows` builders fill the columns the
dump leaves out (namespace, owner, …) and are what `tables.ROW_BUILDERS` calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pgwire.catalog import oids
from pgwire.catalog.content import CatalogContent

#: what dump_builtins.py dumped from a real PostgreSQL server
DATA = Path(__file__).parent / "data"

Row = dict[str, Any]


@cache
def builtin_rows(name: str) -> tuple[Row, ...]:
    """The dumped rows of `data/<name>.json`. pg_proc rows also carry `arguments`, `result`
    and `sqlbody`: what pg_get_function_arguments, _result and _sqlbody print."""
    return tuple(json.loads((DATA / f"{name}.json").read_text()))


def proc_rows(content: CatalogContent) -> Iterator[Row]:
    for row in builtin_rows("pg_proc"):
        yield {
            "pronamespace": oids.PG_CATALOG_NAMESPACE,
            "proowner": oids.BOOTSTRAP_SUPERUSER,
            "provariadic": 0,
            "pronargdefaults": 0,
        } | row


def range_rows(content: CatalogContent) -> Iterator[Row]:
    yield from builtin_rows("pg_range")


def am_rows(content: CatalogContent) -> Iterator[Row]:
    yield from builtin_rows("pg_am")


def cast_rows(content: CatalogContent) -> Iterator[Row]:
    yield from builtin_rows("pg_cast")


def language_rows(content: CatalogContent) -> Iterator[Row]:
    for row in builtin_rows("pg_language"):
        yield {"lanowner": oids.BOOTSTRAP_SUPERUSER} | row
