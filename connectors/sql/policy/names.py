"""Which governed table a table reference reads, the way the engine would decide it."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from sqlglot import exp

from connectors.errors import QueryRefused
from connectors.sql.policy.model import Namespace, TableKey


class CteScope(StrEnum):
    TABLE = "table"  # no CTE of that name is visible: the name reads a table
    CTE = "cte"  # a CTE of that name is visible and shadows the table
    RECURSIVE = "recursive"  # a WITH RECURSIVE defines it: engines disagree on which wins


def governed_key(
    table: exp.Table, governed: Collection[TableKey], namespace: Namespace
) -> TableKey | None:
    """The governed table `table` reads; None if it reads another table or a CTE.

    One-part names are looked up in the default schema unless a CTE of that name is in
    scope. Raises QueryRefused if the reference may read a governed table through a
    catalog that is not this data source, through a WITH RECURSIVE that defines a CTE of
    the same name, or through a DuckDB two-part name that may mean `catalog.table`.
    """
    assert isinstance(table.this, exp.Identifier)
    name = namespace.fold_identifier(table.this)
    default_key = TableKey(namespace.fold(namespace.default_schema), name)
    schema_part = table.args.get("db")
    if not isinstance(schema_part, exp.Identifier):
        return _one_part_key(table, default_key, governed, namespace)
    key = TableKey(namespace.fold_identifier(schema_part), name)
    catalog_part = table.args.get("catalog")
    catalogs = {namespace.fold(catalog) for catalog in namespace.catalogs}
    if isinstance(catalog_part, exp.Identifier):
        if key in governed and namespace.fold_identifier(catalog_part) not in catalogs:
            raise QueryRefused(
                f"{table.sql(namespace.dialect)} names a catalog that is not this data source; "
                f"{key} is governed here"
            )
        return key if key in governed else None
    if key in governed:
        return key
    if namespace.dialect == "duckdb" and default_key in governed:
        # DuckDB reads `x.t` as catalog x's default schema when x is no schema
        if key.schema in catalogs:
            return default_key
        raise QueryRefused(
            f"{table.sql(namespace.dialect)} may name the governed table {default_key} "
            "through another catalog; write the name as catalog.schema.table"
        )
    return None


def _one_part_key(
    table: exp.Table, key: TableKey, governed: Collection[TableKey], namespace: Namespace
) -> TableKey | None:
    if key not in governed:
        return None
    scope = cte_scope(table, key.name, namespace)
    if scope is CteScope.RECURSIVE:
        raise QueryRefused(
            f"a WITH RECURSIVE defines a CTE named {key.name} like the governed table {key}; "
            "rename the CTE"
        )
    return key if scope is CteScope.TABLE else None


def cte_scope(table: exp.Table, name: str, namespace: Namespace) -> CteScope:
    """Whether the one-part name `name` at `table` reads a CTE or a table.

    A query's CTEs are visible in its body and in nested queries; within its WITH, a CTE
    body sees only the CTEs before it (and, under RECURSIVE, all of them and itself).
    """
    child: exp.Expr = table
    node = table.parent
    while node is not None:
        if isinstance(node, exp.With):
            ctes = node.expressions
            names = [namespace.fold_identifier(_cte_name(cte)) for cte in ctes]
            if node.args.get("recursive") and name in names:
                return CteScope.RECURSIVE
            position = next((i for i, cte in enumerate(ctes) if cte is child), len(ctes))
            earlier = names[:position]
            if name in earlier:
                return CteScope.CTE
        else:
            with_ = node.args.get("with_")
            if isinstance(with_, exp.With) and with_ is not child:
                names = [namespace.fold_identifier(_cte_name(cte)) for cte in with_.expressions]
                if with_.args.get("recursive") and name in names:
                    return CteScope.RECURSIVE
                if name in names:
                    return CteScope.CTE
        child, node = node, node.parent
    return CteScope.TABLE


def _cte_name(cte: exp.Expr) -> exp.Identifier:
    alias = cte.args.get("alias")
    identifier = alias.this if isinstance(alias, exp.TableAlias) else None
    if not isinstance(identifier, exp.Identifier):
        raise QueryRefused(f"a CTE without a name: {cte.sql()}")
    return identifier
