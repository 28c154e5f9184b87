"""PostgreSQL's system column `tableoid` on the emulated relations.

Every PostgreSQL row carries the OID of the relation it lives in; clients join
pg_description on it (`d.classoid = c.tableoid`). The shadow tables have no such column,
and every row of one relation holds the same value, so the column becomes that constant.
"""

from __future__ import annotations

from sqlglot import exp

from pgwire.catalog.relations import Relation, find_shadow_relation
from pgwire.sql.dialect import DIALECT

TABLEOID = "tableoid"


def _tables_in_scope(select: exp.Select) -> list[exp.Table]:
    from_ = select.args.get("from_") or select.args.get("from")
    sources = ([from_.this] if from_ else []) + [
        join.this for join in select.args.get("joins") or []
    ]
    return [source for source in sources if isinstance(source, exp.Table)]


def _source_relation(column: exp.Column) -> Relation | None:
    """The catalog relation `column` reads from: the one its qualifier names in the nearest
    enclosing select that has it, or the only table of its own select when unqualified."""
    select = column.find_ancestor(exp.Select)
    while select is not None:
        tables = _tables_in_scope(select)
        if not column.table:
            only = tables[0] if len(tables) == 1 else None
            return find_shadow_relation(only.db, only.name) if only else None
        named = next((t for t in tables if t.alias_or_name == column.table), None)
        if named is not None:
            return find_shadow_relation(named.db, named.name)
        select = select.find_ancestor(exp.Select)
    return None


def resolve_tableoid(tree: exp.Expression) -> exp.Expression:
    """`c.tableoid` over a catalog relation → `<that relation's OID>::oid`."""
    for column in list(tree.find_all(exp.Column)):
        if column.name != TABLEOID:
            continue
        relation = _source_relation(column)
        if relation is not None and relation.column(TABLEOID) is None:
            oid_type = exp.DataType.build("oid", dialect=DIALECT, udt=True)
            column.replace(exp.cast(exp.Literal.number(relation.oid), oid_type))
    return tree
