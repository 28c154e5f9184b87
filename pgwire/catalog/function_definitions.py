"""pg_get_functiondef, pg_get_function_arguments, pg_get_function_result and
pg_get_function_sqlbody for the built-in functions the catalog holds, printed as
PostgreSQL's ruleutils.c prints them (argument lists, result types and SQL bodies are
PostgreSQL's own text, dumped with the rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from pgwire.catalog.builtin_rows import builtin_rows
from pgwire.catalog.identifiers import quote_identifier, quote_qualified

VOLATILITY = {"i": " IMMUTABLE", "s": " STABLE", "v": ""}
PARALLEL_SAFETY = {"s": " PARALLEL SAFE", "r": " PARALLEL RESTRICTED", "u": ""}
#: languages whose functions cost 1 unless declared otherwise (internal, c); others cost 100
CHEAP_LANGUAGES = frozenset({12, 13})


def _dollar_quoted(body: str) -> str:
    """`body` between the first of $function$, $functionx$, … it does not contain."""
    tag = "$function"
    while tag in body:
        tag += "x"
    return f"{tag}${body}{tag}$"


def _simple_quote_literal(text: str) -> str:
    """PostgreSQL's simple_quote_literal with standard_conforming_strings on: unlike
    quote_literal(), never the E'…' form."""
    return "'" + text.replace("'", "''") + "'"


class FunctionDefinitions:
    """The four functions over pg_proc rows (with `arguments`, `result` and `sqlbody`).

    `language_names` maps pg_language OIDs to names. Every method answers None for an OID
    that is no function, as PostgreSQL does.
    """

    def __init__(self, procs: Iterable[dict[str, Any]], language_names: Mapping[int, str]) -> None:
        self._procs = {proc["oid"]: proc for proc in procs}
        self._language_names = language_names

    def _proc(self, oid: int | None) -> dict[str, Any] | None:
        return None if oid is None else self._procs.get(oid)

    def arguments(self, oid: int | None) -> str | None:
        proc = self._proc(oid)
        return None if proc is None else str(proc["arguments"])

    def result(self, oid: int | None) -> str | None:
        proc = self._proc(oid)
        return None if proc is None else str(proc["result"])

    def sql_body(self, oid: int | None) -> str | None:
        proc = self._proc(oid)
        return None if proc is None else proc["sqlbody"]

    def _options(self, proc: dict[str, Any]) -> str:
        default_cost = 1.0 if proc["prolang"] in CHEAP_LANGUAGES else 100.0
        options = [
            VOLATILITY[proc["provolatile"]],
            PARALLEL_SAFETY[proc["proparallel"]],
            " STRICT" if proc["proisstrict"] else "",
            " SECURITY DEFINER" if proc["prosecdef"] else "",
            " LEAKPROOF" if proc["proleakproof"] else "",
            f" COST {proc['procost']:g}" if proc["procost"] != default_cost else "",
            f" ROWS {proc['prorows']:g}" if proc["prorows"] not in (0, 1000) else "",
            # pg_catalog is always on the search path: the support function's bare name
            f" SUPPORT {self._procs[proc['prosupport']]['proname']}" if proc["prosupport"] else "",
        ]
        return "".join(options)

    def definition(self, oid: int | None) -> str | None:
        """pg_get_functiondef: the CREATE OR REPLACE FUNCTION statement, ending in a newline."""
        proc = self._proc(oid)
        if proc is None:
            return None
        lines = [
            f"CREATE OR REPLACE FUNCTION {quote_qualified('pg_catalog', proc['proname'])}"
            f"({proc['arguments']})",
            f" RETURNS {proc['result']}",
            f" LANGUAGE {quote_identifier(self._language_names[proc['prolang']])}",
        ]
        options = self._options(proc)
        if options:
            lines.append(options)
        if proc["sqlbody"] is not None:
            lines.append(proc["sqlbody"])
        else:
            library = f"{_simple_quote_literal(proc['probin'])}, " if proc["probin"] else ""
            lines.append(f"AS {library}{_dollar_quoted(proc['prosrc'])}")
        return "\n".join(lines) + "\n"


@cache
def builtin_function_definitions() -> FunctionDefinitions:
    """The definitions of the built-in functions the catalog holds (data/pg_proc.json)."""
    languages = {row["oid"]: row["lanname"] for row in builtin_rows("pg_language")}
    return FunctionDefinitions(builtin_rows("pg_proc"), languages)
