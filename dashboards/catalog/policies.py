"""Row filters and column masks on a data source's tables, set and dropped by admins
(governance applies them: `dashboards.pipeline.policies`).

A table is named `catalog.schema.table`, the catalog being the data source. A policy is SQL
in the data source's dialect over the table's columns; `current_user()` and
`is_member('group')` are replaced per user when a statement is planned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlglot
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from sqlglot import exp

from connectors.errors import QueryRefused
from connectors.sql.policy import PolicyContext, TableKey, TablePolicy, apply_policies
from dashboards.audit.changes import audit_change
from dashboards.catalog.listing import list_catalog
from dashboards.models import DataSource, SecuredTable
from dashboards.pipeline.governance import dialect_of
from dashboards.pipeline.policies import namespace_of


@dataclass(frozen=True)
class TableName:
    """`catalog.schema.table` as an admin writes it."""

    catalog: str
    schema: str
    table: str

    @classmethod
    def parse(cls, name: str) -> TableName:
        """Raises ValidationError unless `name` has three non-empty dot-separated parts."""
        parts = name.split(".")
        if len(parts) != 3 or not all(parts):
            raise ValidationError(f"{name!r} is no table name of the form catalog.schema.table")
        return cls(*parts)

    def __str__(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.table}"


def set_row_filter(user: User, datasource: DataSource, name: TableName, expression: str) -> None:
    """Raises PermissionDenied for non-admins, ValidationError for an unknown table or an
    expression that does not parse or names columns the table lacks."""
    _change(user, datasource, name, lambda secured: setattr(secured, "row_filter", expression))
    audit_change(user, "table.row_filter.set", table=str(name), expression=expression)


def drop_row_filter(user: User, datasource: DataSource, name: TableName) -> None:
    _change(user, datasource, name, lambda secured: setattr(secured, "row_filter", ""))
    audit_change(user, "table.row_filter.drop", table=str(name))


def set_column_mask(
    user: User, datasource: DataSource, name: TableName, column: str, expression: str
) -> None:
    """Raises like set_row_filter, and ValidationError for a column the table lacks."""
    _change(user, datasource, name, lambda secured: _set_mask(secured, column, expression))
    audit_change(user, "table.mask.set", table=str(name), column=column, expression=expression)


def drop_column_mask(user: User, datasource: DataSource, name: TableName, column: str) -> None:
    _change(user, datasource, name, lambda secured: secured.masks.pop(column, None))
    audit_change(user, "table.mask.drop", table=str(name), column=column)


def _set_mask(secured: SecuredTable, column: str, expression: str) -> None:
    if column not in secured.columns:
        raise ValidationError(f"table {secured.schema}.{secured.name} has no column {column}")
    secured.masks[column] = expression


def _change(
    user: User,
    datasource: DataSource,
    name: TableName,
    change: Callable[[SecuredTable], object],
) -> None:
    if not user.is_superuser:
        raise PermissionDenied("only administrators may set row filters and column masks")
    schema, table, columns = _find_table(datasource, name)
    with transaction.atomic():
        secured, _ = SecuredTable.objects.select_for_update().get_or_create(
            datasource=datasource, schema=schema, name=table
        )
        secured.columns = columns
        change(secured)
        _check(secured, datasource)
        if secured.row_filter or secured.masks:
            secured.save()
        elif secured.pk is not None:
            secured.delete()
        DataSource.objects.filter(pk=datasource.pk).update(policy_version=F("policy_version") + 1)


def _find_table(datasource: DataSource, name: TableName) -> tuple[str, str, list[str]]:
    """The stored schema and name of the table and its columns; ValidationError if absent."""
    for info in list_catalog(datasource, is_refresh=True).tables:
        if info.schema.lower() == name.schema.lower() and info.name.lower() == name.table.lower():
            return info.schema, info.name, [column.name for column in info.columns]
    raise ValidationError(f"data source {datasource.name} has no table {name.schema}.{name.table}")


def _check(secured: SecuredTable, datasource: DataSource) -> None:
    """Parse the policy and try it on `SELECT *` of its table, so a policy that could never
    apply (bad SQL, unknown columns) is refused now rather than at every query."""
    dialect = dialect_of(datasource)
    try:
        policy = TablePolicy.from_sql(
            row_filter=secured.row_filter or None, masks=secured.masks, dialect=dialect
        )
        table = exp.table_(secured.name, db=secured.schema, quoted=True)
        apply_policies(
            exp.select("*").from_(table),
            policies={TableKey(secured.schema, secured.name): policy},
            columns={TableKey(secured.schema, secured.name): secured.columns},
            context=PolicyContext(user="policy-check"),
            namespace=namespace_of(datasource, dialect),
        )
    except (sqlglot.ParseError, QueryRefused) as error:
        raise ValidationError(f"the policy does not apply to the table: {error}") from error
