"""pg_get_indexdef and pg_get_constraintdef: constraints and their indexes as PostgreSQL
prints them (`CREATE UNIQUE INDEX items_pkey ON public.items USING btree (id)`,
`FOREIGN KEY (customer_id) REFERENCES customers(id)`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from connectors.base import ConstraintKind
from pgwire.catalog.content import CatalogConstraint
from pgwire.catalog.identifiers import quote_identifier, quote_qualified

#: every emulated index is a btree, like those PostgreSQL makes for keys
INDEX_METHOD = "btree"
CONSTRAINT_KEYWORDS = {ConstraintKind.PRIMARY_KEY: "PRIMARY KEY", ConstraintKind.UNIQUE: "UNIQUE"}


def _column_list(names: Sequence[str]) -> str:
    return ", ".join(quote_identifier(name) for name in names)


def index_definition(constraint: CatalogConstraint) -> str:
    """The CREATE INDEX statement of a primary key's or unique constraint's index."""
    table = quote_qualified(constraint.schema, constraint.table.name)
    columns = _column_list(constraint.info.columns)
    return (
        f"CREATE UNIQUE INDEX {quote_identifier(constraint.name)} ON {table} "
        f"USING {INDEX_METHOD} ({columns})"
    )


class Definitions:
    """The two functions over one session's constraints.

    `relation_name(oid)` names a relation as PostgreSQL's generate_relation_name does:
    qualified only when the search path would not find it by its bare name.
    """

    def __init__(
        self, constraints: Sequence[CatalogConstraint], relation_name: Callable[[int], str]
    ) -> None:
        self._constraints = {c.oid: c for c in constraints}
        self._indexes = {c.index_oid: c for c in constraints if c.has_own_index}
        self._relation_name = relation_name

    def index_definition(self, oid: int | None, column: int | None) -> str | None:
        """pg_get_indexdef(oid, column, pretty): the whole statement for column 0, else the
        column's name ("" past the last one); None for an OID that is no index."""
        constraint = None if oid is None else self._indexes.get(oid)
        if constraint is None:
            return None
        if not column:
            return index_definition(constraint)
        columns = constraint.info.columns
        return quote_identifier(columns[column - 1]) if 0 < column <= len(columns) else ""

    def constraint_definition(self, oid: int | None) -> str | None:
        """pg_get_constraintdef(oid, pretty); None for an OID that is no constraint."""
        constraint = None if oid is None else self._constraints.get(oid)
        if constraint is None:
            return None
        columns = _column_list(constraint.info.columns)
        if constraint.referenced is None:
            return f"{CONSTRAINT_KEYWORDS[constraint.info.kind]} ({columns})"
        referenced_table = self._relation_name(constraint.referenced.relid)
        referenced_columns = _column_list(constraint.info.referenced_columns)
        return f"FOREIGN KEY ({columns}) REFERENCES {referenced_table}({referenced_columns})"
