"""Splice each governed table's policy into a statement as a filtered, masked subquery."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cachetools import LRUCache, cached
from sqlglot import exp

from connectors.errors import QueryRefused
from connectors.sql.parse import DIALECT_META_KEY, explain_options, explained_statement
from connectors.sql.policy.model import (
    Namespace,
    PolicyContext,
    TableKey,
    TablePolicy,
    effective_policy,
    policy_key,
)
from connectors.sql.policy.names import governed_key

#: table arguments the inner reference keeps: which rows of which version it reads
_KEPT_ON_TABLE = ("version", "when", "sample", "only")
#: table arguments that belong to the reference's place in the query, not to the table
_MOVED_TO_SUBQUERY = ("alias", "joins", "laterals", "pivots")
_NAME_PARTS = ("this", "db", "catalog")
_KNOWN_TABLE_ARGS = frozenset(_KEPT_ON_TABLE + _MOVED_TO_SUBQUERY + _NAME_PARTS)

#: statements that name a table to describe it, reading none of its rows
_METADATA_PARENTS = (exp.Describe, exp.Show)
#: where a subquery may stand in for a table reference
_QUERY_SLOTS = (exp.From, exp.Join, exp.Subquery, exp.Pivot)


#: per table, the effective policy and the query standing for the table (None: no policy)
_Prepared = tuple[TablePolicy, exp.Select | None]
PREPARED_POLICIES_KEPT = 1024


@dataclass(frozen=True)
class PolicyRewrite:
    """A statement with policies applied, and what applied (for the result's fingerprint)."""

    statement: exp.Expression
    #: the effective policy of every governed table the statement reads, by table
    applied: Mapping[TableKey, TablePolicy]
    #: policy_key(applied): "" when no policy applied
    key: str


def apply_policies(
    statement: exp.Expression,
    *,
    policies: Mapping[TableKey, TablePolicy],
    columns: Mapping[TableKey, Sequence[str]],
    context: PolicyContext,
    namespace: Namespace,
    copy: bool = True,
) -> PolicyRewrite:
    """`statement` with every read of a governed table going through its policy.

    1. An EXPLAIN's statement is rewritten and explained again, with its options.
    2. Each table reference is resolved as the engine would (see `governed_key`).
    3. The table's policy is made effective for `context` (see `effective_policy`).
    4. A reference with a non-empty effective policy becomes
       `(SELECT <col or mask AS col, …> FROM schema.table WHERE <filter>) AS <alias>`,
       listing `columns[key]` in order, so every later use of a column sees its mask.

    `statement` comes back itself when no policy applies, else a rewritten copy (or, with
    `copy=False`, itself rewritten in place: the copy is most of the pass's cost).
    Policies made effective are remembered per policy `source`, user and table
    (PREPARED_POLICIES_KEPT of them). Raises QueryRefused when a reference cannot be
    proven to go through its policy: a governed table without known columns, a policy
    naming a column the table lacks, a reference in a place no subquery can stand, a table
    argument this pass does not know, or an ambiguous name (see `governed_key`).
    """
    if isinstance(statement, exp.Command):
        return _apply_to_command(statement, policies, columns, context, namespace)
    found = _governed_references(statement, policies, namespace)
    prepared = {
        key: _prepared_policy(key, policies[key], columns, context, namespace)
        for key in dict.fromkeys(key for _, key in found)
    }
    effective = {key: policy for key, (policy, _) in prepared.items() if not policy.is_empty}
    if not effective:
        return PolicyRewrite(statement, {}, "")
    rewritten, replaced = _copied(statement, found) if copy else (statement, found)
    qualified_names: set[tuple[str, str]] = set()
    for table, key in replaced:
        template = prepared[key][1]
        if template is None:
            continue
        if isinstance(table.args.get("db"), exp.Identifier) and not table.alias:
            qualified_names.add(_written_name(table.args["db"], table.this, namespace))
        _replace(table, key, template.copy())
    if qualified_names:
        _unqualify_columns(rewritten, qualified_names, namespace)
    return PolicyRewrite(rewritten, effective, policy_key(effective))


def _copied(
    statement: exp.Expression, found: list[tuple[exp.Table, TableKey]]
) -> tuple[exp.Expression, list[tuple[exp.Table, TableKey]]]:
    """A copy of `statement`, and `found` pointing into it."""
    copied = statement.copy()
    # the copy has the same shape: its tables come in the same order as the original's
    keys = {id(table): key for table, key in found}
    pairs = zip(statement.find_all(exp.Table), copied.find_all(exp.Table), strict=True)
    return copied, [
        (table, keys[id(original)]) for original, table in pairs if id(original) in keys
    ]


def _written_name(
    schema: exp.Identifier, name: exp.Identifier, namespace: Namespace
) -> tuple[str, str]:
    return namespace.fold_identifier(schema), namespace.fold_identifier(name)


def _unqualify_columns(
    statement: exp.Expression, qualified_names: set[tuple[str, str]], namespace: Namespace
) -> None:
    """`main.sales.email` → `sales.email`: the subquery standing for `main.sales` is
    named `sales`, and a column cannot name a subquery through a schema."""
    for column in statement.find_all(exp.Column):
        schema, table = column.args.get("db"), column.args.get("table")
        if not isinstance(schema, exp.Identifier) or not isinstance(table, exp.Identifier):
            continue
        if _written_name(schema, table, namespace) in qualified_names:
            column.set("db", None)
            column.set("catalog", None)


def _governed_references(
    statement: exp.Expression, policies: Mapping[TableKey, TablePolicy], namespace: Namespace
) -> list[tuple[exp.Table, TableKey]]:
    found = []
    for table in statement.find_all(exp.Table):
        if isinstance(table.this, exp.Func) or isinstance(table.parent, _METADATA_PARENTS):
            continue
        if not isinstance(table.this, exp.Identifier):
            raise QueryRefused(f"cannot tell which table {table.sql(namespace.dialect)} reads")
        key = governed_key(table, policies.keys(), namespace)
        if key is not None:
            found.append((table, key))
    return found


def _prepared_policy(
    key: TableKey,
    policy: TablePolicy,
    columns: Mapping[TableKey, Sequence[str]],
    context: PolicyContext,
    namespace: Namespace,
) -> _Prepared:
    """The effective policy and the query standing for the table (None if the policy is
    empty), remembered: both are only ever copied from, never changed."""
    return _prepare(key, policy, tuple(columns.get(key) or ()), context, namespace)


@cached(
    LRUCache(PREPARED_POLICIES_KEPT),
    # a policy is known by its canonical text: its expressions are not hashable
    key=lambda key, policy, column_names, context, namespace: (
        key,
        policy.source,
        column_names,
        context,
        namespace,
    ),
    lock=threading.Lock(),
)
def _prepare(
    key: TableKey,
    policy: TablePolicy,
    column_names: Sequence[str],
    context: PolicyContext,
    namespace: Namespace,
) -> _Prepared:
    if not column_names:
        raise QueryRefused(f"the columns of the governed table {key} are not known")
    effective = effective_policy(policy, context, table=str(key), namespace=namespace)
    if effective.is_empty:
        return effective, None
    known = {namespace.fold(column) for column in column_names}
    for column in effective.masks.keys() - known:
        raise QueryRefused(f"the mask on {key}.{column} names a column the table lacks")
    parts = [effective.row_filter, *effective.masks.values()]
    for expression in (part for part in parts if part is not None):
        _check_policy_expression(expression, key, known, namespace)
    return effective, _policy_query(key, effective, column_names, namespace)


def _check_policy_expression(
    expression: exp.Expression, key: TableKey, known: set[str], namespace: Namespace
) -> None:
    """Refuse a policy any of whose columns could bind to the user's query around it —
    a column of its own the table lacks, a qualifier naming no table of the policy, an
    unqualified column in a lookup — and qualify the tables its lookups read with the
    default schema, so that no CTE of the user's can stand in for them."""
    sources = {key.name}
    for node in expression.find_all(exp.Table, exp.Subquery):
        alias = node.args.get("alias")
        named = alias.this if isinstance(alias, exp.TableAlias) else node.this
        if isinstance(named, exp.Identifier):
            sources.add(namespace.fold_identifier(named))
    for column in expression.find_all(exp.Column):
        qualifier = column.args.get("table")
        is_nested = _is_in_nested_query(column, expression)
        if column.args.get("db") or (qualifier is None and is_nested):
            raise QueryRefused(f"the policy on {key} must qualify {column.sql()} by its table")
        if qualifier is not None and namespace.fold_identifier(qualifier) not in sources:
            raise QueryRefused(f"the policy on {key} names {column.sql()}, of no table it reads")
        if not is_nested and namespace.fold_identifier(column.this) not in known:
            raise QueryRefused(f"the policy on {key} names {column.sql()}, not a column of it")
    for table in expression.find_all(exp.Table):
        if isinstance(table.this, exp.Identifier) and not table.args.get("db"):
            table.set("db", _quoted(namespace.default_schema))


def _is_in_nested_query(node: exp.Expr, root: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None and parent is not root:
        if isinstance(parent, exp.Query):
            return True
        parent = parent.parent
    return False


def _replace(table: exp.Table, key: TableKey, query: exp.Select) -> None:
    unknown = [arg for arg, value in table.args.items() if value and arg not in _KNOWN_TABLE_ARGS]
    if unknown:
        raise QueryRefused(
            f"{table.sql()} uses {', '.join(unknown)}, "
            f"which cannot be combined with the policy on {key}"
        )
    inner = query.args["from_"].this
    inner.set("catalog", table.args.get("catalog"))
    for arg in _KEPT_ON_TABLE:
        inner.set(arg, table.args.get(arg))
    if isinstance(table.parent, exp.Summarize):
        table.parent.set("table", None)
        table.replace(query)
        return
    if not isinstance(table.parent, _QUERY_SLOTS):
        raise QueryRefused(f"the policy on {key} cannot be applied where the statement names it")
    subquery = exp.Subquery(this=query)
    for arg in _MOVED_TO_SUBQUERY:
        subquery.set(arg, table.args.get(arg))
    if subquery.args.get("alias") is None:
        subquery.set("alias", exp.TableAlias(this=table.this.copy()))
    table.replace(subquery)


def _policy_query(
    key: TableKey, policy: TablePolicy, column_names: Sequence[str], namespace: Namespace
) -> exp.Select:
    """`SELECT <col or mask AS col, …> FROM schema.table WHERE <filter>`."""
    projections: list[exp.Expr] = []
    for name in column_names:
        mask = policy.masks.get(namespace.fold(name))
        column = _quoted(name)
        projections.append(exp.alias_(mask.copy(), column) if mask else exp.column(column))
    inner = exp.Table(this=_quoted(key.name), db=_quoted(key.schema))
    query = exp.Select(expressions=projections).from_(inner, copy=False)
    if policy.row_filter is not None:
        query = query.where(policy.row_filter.copy(), copy=False)
    return query


def _quoted(name: str) -> exp.Identifier:
    # stored names, quoted: `user` or `Sales` unquoted would mean something else
    return exp.to_identifier(name, quoted=True)


def _apply_to_command(
    command: exp.Command,
    policies: Mapping[TableKey, TablePolicy],
    columns: Mapping[TableKey, Sequence[str]],
    context: PolicyContext,
    namespace: Namespace,
) -> PolicyRewrite:
    explained = explained_statement(command)
    if explained is None:
        if command.name.upper() == "SHOW":
            return PolicyRewrite(command.copy(), {}, "")
        raise QueryRefused(f"cannot apply policies to {command.name.upper()}")
    rewritten = apply_policies(
        explained, policies=policies, columns=columns, context=context, namespace=namespace
    )
    if not rewritten.applied:
        return PolicyRewrite(command.copy(), {}, "")
    text = explain_options(command) + rewritten.statement.sql(namespace.dialect)
    explain = exp.Command(this=command.this, expression=exp.Literal.string(text))
    explain.meta[DIALECT_META_KEY] = namespace.dialect
    return PolicyRewrite(explain, rewritten.applied, rewritten.key)
