"""Which tables a statement reads."""

from __future__ import annotations

from sqlglot import exp

from connectors.base import TableRef
from connectors.sql.parse import explained_statement


def referenced_tables(expression: exp.Expression) -> list[TableRef]:
    """The real tables `expression` reads, as written, deduplicated, in order of appearance.

    CTE names and table functions are not tables; a table read at two time-travel pins is
    two references. For an EXPLAIN, the tables of the
    explained statement. A CTE name shadows a table of the same unqualified name
    everywhere in the statement (close enough for grants: the CTE's own body still
    names the real tables it reads).
    """
    if isinstance(expression, exp.Command):
        explained = explained_statement(expression)
        return referenced_tables(explained) if explained is not None else []
    cte_names = {cte.alias_or_name.lower() for cte in expression.find_all(exp.CTE)}
    found: dict[TableRef, None] = {}
    for table in sorted(expression.find_all(exp.Table, bfs=False), key=_text_offset):
        if not isinstance(table.this, exp.Identifier):
            continue
        if not table.db and table.name.lower() in cte_names:
            continue
        ref = TableRef(
            name=table.name,
            schema=table.db or None,
            catalog=table.catalog or None,
            as_of=time_travel_pin(table),
        )
        found.setdefault(ref, None)
    return list(found)


def _text_offset(table: exp.Table) -> int:
    """Where the table's name starts in the parsed text; built nodes sort last."""
    start = table.this.meta.get("start") if isinstance(table.this, exp.Identifier) else None
    return start if isinstance(start, int) else 1 << 62


def time_travel_pin(table: exp.Table) -> str | None:
    """`VERSION AS OF 2` → "version=2", `TIMESTAMP AS OF '…'` → "timestamp=…", else None."""
    version = table.args.get("version")
    if not isinstance(version, exp.Version) or version.expression is None:
        return None
    return f"{version.name.lower()}={version.expression.name}"
