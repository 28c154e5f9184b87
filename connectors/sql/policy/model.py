"""What a policy is, and what it becomes for one user.

A table's policy is written once, by an admin, as SQL expressions over the table's columns
that may call `current_user()` and `is_member('group')`. For one user those calls become
literals and the boolean constants they leave are folded away, so the effective policy is
plain SQL every engine runs, and two users with the same effective policy share its key.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from connectors.errors import QueryRefused

#: functions that test the user's groups, as Databricks spells them
_MEMBERSHIP_FUNCTIONS = frozenset({"is_member", "is_account_group_member"})


@dataclass(frozen=True)
class TableKey:
    """A governed table: its schema and name as the engine stores them (catalog-less)."""

    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class TablePolicy:
    """A row filter (rows where it is not true are dropped) and masks by column name.

    Build one per version of a policy and reuse it: its `source` (canonical text, the
    identity its effective forms are remembered by) is computed once, here.
    """

    row_filter: exp.Expression | None = None
    masks: Mapping[str, exp.Expression] = field(default_factory=dict)
    source: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        canonical = {
            "row_filter": self.row_filter.sql() if self.row_filter is not None else None,
            "masks": {column: mask.sql() for column, mask in self.masks.items()},
        }
        object.__setattr__(self, "source", json.dumps(canonical, sort_keys=True))

    @classmethod
    def from_sql(
        cls, *, row_filter: str | None = None, masks: Mapping[str, str] | None = None, dialect: str
    ) -> TablePolicy:
        """A policy from SQL text; raises sqlglot's ParseError if an expression does not parse."""
        return cls(
            row_filter=_parse_expression(row_filter, dialect) if row_filter else None,
            masks={
                column: _parse_expression(mask, dialect) for column, mask in (masks or {}).items()
            },
        )

    @property
    def is_empty(self) -> bool:
        return self.row_filter is None and not self.masks


def _parse_expression(sql: str, dialect: str) -> exp.Expression:
    expression = sqlglot.parse_one(sql, read=dialect)
    if not isinstance(expression, exp.Expression):
        raise sqlglot.ParseError(f"not an expression: {sql}")
    return expression


@dataclass(frozen=True)
class PolicyContext:
    """Who runs the statement: what `current_user()` returns, what `is_member` tests."""

    user: str
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Namespace:
    """How the engine of one data source resolves table names.

    `catalogs` are every name the statement may use for this data source as a catalog
    (the data source's name, the engine's own name for its database); none may be empty.
    """

    dialect: str
    default_schema: str
    catalogs: frozenset[str] = frozenset()

    def fold(self, name: str) -> str:
        """`name` as stored (or as quoted in SQL) folded the way the dialect compares names."""
        return _folded(self.dialect, name, is_quoted=True)

    def fold_identifier(self, identifier: exp.Identifier) -> str:
        """A written identifier folded the way the dialect compares names."""
        return _folded(self.dialect, identifier.name, is_quoted=bool(identifier.quoted))


@functools.lru_cache(maxsize=4096)
def _folded(dialect: str, name: str, *, is_quoted: bool) -> str:
    identifier = exp.to_identifier(name, quoted=is_quoted)
    return Dialect.get_or_raise(dialect).normalize_identifier(identifier).name


def effective_policy(
    policy: TablePolicy, context: PolicyContext, *, table: str, namespace: Namespace
) -> TablePolicy:
    """`policy` as it applies to `context`: calls replaced by literals, constants folded.

    A filter folded to TRUE is dropped, and so is a mask folded to its own column. Raises
    QueryRefused (naming `table`) if a membership test names its group by anything but a
    string literal: the pass cannot decide it.
    """
    row_filter = None
    if policy.row_filter is not None:
        row_filter = fold_constants(_with_context(policy.row_filter, context, table))
        if row_filter == exp.true():
            row_filter = None
    masks = {}
    for column, mask in policy.masks.items():
        folded = fold_constants(_with_context(mask, context, table))
        name = namespace.fold(column)
        is_plain = isinstance(folded, exp.Column) and not folded.table
        if not (is_plain and namespace.fold_identifier(folded.this) == name):
            masks[name] = folded
    return TablePolicy(row_filter=row_filter, masks=masks)


def _with_context(expression: exp.Expression, context: PolicyContext, table: str) -> exp.Expression:
    def replace(node: exp.Expr) -> exp.Expr:
        if isinstance(node, (exp.CurrentUser, exp.SessionUser)):
            return exp.Literal.string(context.user)
        if isinstance(node, exp.Anonymous) and node.name.lower() in _MEMBERSHIP_FUNCTIONS:
            group = node.expressions[0] if len(node.expressions) == 1 else None
            if not isinstance(group, exp.Literal) or not group.is_string:
                raise QueryRefused(
                    f"the policy on {table} calls {node.name} without a group name literal"
                )
            return exp.Boolean(this=group.name in context.groups)
        return node

    result = expression.copy().transform(replace, copy=False)
    assert isinstance(result, exp.Expression)
    return result


def fold_constants(expression: exp.Expression) -> exp.Expression:
    """Fold the boolean constants AND, OR, NOT, CASE and IF leave behind; nothing else.

    Deliberately tiny (sqlglot's simplifier rewrites far more): each rule holds in
    three-valued logic — `x AND FALSE` is FALSE and `x OR TRUE` is TRUE even when x is NULL.
    """
    result = expression.transform(_fold_node, copy=False)
    assert isinstance(result, exp.Expression)
    return result


def _fold_node(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Paren) and isinstance(node.this, exp.Boolean):
        return node.this
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Boolean):
        return exp.Boolean(this=not node.this.this)
    if isinstance(node, (exp.And, exp.Or)):
        absorbing = isinstance(node, exp.Or)
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(side, exp.Boolean):
                return exp.Boolean(this=absorbing) if side.this is absorbing else other
    if isinstance(node, exp.If) and isinstance(node.this, exp.Boolean):
        chosen = node.args.get("true") if node.this.this else node.args.get("false")
        return chosen if chosen is not None else exp.null()
    if isinstance(node, exp.Case) and node.this is None:
        return _fold_case(node)
    return node


def _fold_case(case: exp.Case) -> exp.Expr:
    branches = [branch for branch in case.args.get("ifs") or [] if branch.this != exp.false()]
    if branches and branches[0].this == exp.true():
        chosen: exp.Expr = branches[0].args["true"]
        return chosen
    default = case.args.get("default")
    if not branches:
        return default if default is not None else exp.null()
    case.set("ifs", branches)
    return case


def policy_key(applied: Mapping[TableKey, TablePolicy]) -> str:
    """sha256 hex of the effective policies that applied, "" when none did.

    Equal effective policies give equal keys whoever the user is; a different filter or
    mask on any table read gives a different key.
    """
    if not applied:
        return ""
    canonical = sorted((str(key), policy.source) for key, policy in applied.items())
    return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()
