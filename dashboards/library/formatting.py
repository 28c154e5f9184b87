"""Pretty-printing SQL with sqlglot for the editor's Shift+Alt+F, keeping `{{ parameter }}`
markers as they were written."""

from __future__ import annotations

import re

from connectors.sql.parse import parse_statements

_MARKER = re.compile(r"\{\{[^{}]*\}\}")


def format_sql(sql: str, dialect: str) -> str:
    """`sql` (one or more statements) pretty-printed in `dialect`.

    1. Each `{{ … }}` marker becomes a placeholder name of the same length, so syntax
       error positions still point into the text as written.
    2. Every statement is parsed and printed with sqlglot's pretty printer.
    3. The placeholders are put back.

    Raises SqlSyntaxError (with a 1-based position) when the text does not parse.
    """
    prefix = next(p for p in ("_fmt", "_fmq", "_fmz") if p not in sql.lower())
    markers: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        key = f"{prefix}{len(markers)}".ljust(len(match.group(0)), "_")
        markers[key] = match.group(0)
        return key

    text = _MARKER.sub(placeholder, sql)
    statements = parse_statements(text, dialect)
    pretty = ";\n\n".join(s.sql(dialect=dialect, pretty=True) for s in statements)
    for key, marker in markers.items():
        pretty = pretty.replace(key, marker)
    return pretty + (";" if sql.rstrip().endswith(";") else "")
