"""Row filters and column masks of a table, named `catalog.schema.table` (admins)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from dashboards.catalog.policies import (
    TableName,
    drop_column_mask,
    drop_row_filter,
    set_column_mask,
    set_row_filter,
)
from dashboards.identity.access import acting_user, get_datasource_for_user
from dashboards.models import SecuredTable

router = Router(tags=["tables"])


class PolicyExpressionIn(Schema):
    expression: str = Field(min_length=1, max_length=10_000)


class TablePolicyOut(Schema):
    table: str
    row_filter: str | None
    masks: dict[str, str]


def _policy_out(request: HttpRequest, table: str) -> TablePolicyOut:
    name = TableName.parse(table)
    datasource = get_datasource_for_user(request.user, name.catalog)
    secured = SecuredTable.objects.filter(
        datasource=datasource, schema__iexact=name.schema, name__iexact=name.table
    ).first()
    if secured is None:
        return TablePolicyOut(table=table, row_filter=None, masks={})
    return TablePolicyOut(
        table=f"{datasource.name}.{secured.schema}.{secured.name}",
        row_filter=secured.row_filter or None,
        masks=dict(secured.masks),
    )


@router.get("/{table}/policy", response=TablePolicyOut)
def get_policy(request: HttpRequest, table: str) -> TablePolicyOut:
    return _policy_out(request, table)


@router.put("/{table}/row-filter", response=TablePolicyOut)
def put_row_filter(request: HttpRequest, table: str, body: PolicyExpressionIn) -> TablePolicyOut:
    name = TableName.parse(table)
    user = acting_user(request)
    set_row_filter(user, get_datasource_for_user(user, name.catalog), name, body.expression)
    return _policy_out(request, table)


@router.delete("/{table}/row-filter", response=TablePolicyOut)
def delete_row_filter(request: HttpRequest, table: str) -> TablePolicyOut:
    name = TableName.parse(table)
    user = acting_user(request)
    drop_row_filter(user, get_datasource_for_user(user, name.catalog), name)
    return _policy_out(request, table)


@router.put("/{table}/column-masks/{column}", response=TablePolicyOut)
def put_column_mask(
    request: HttpRequest, table: str, column: str, body: PolicyExpressionIn
) -> TablePolicyOut:
    name = TableName.parse(table)
    user = acting_user(request)
    datasource = get_datasource_for_user(user, name.catalog)
    set_column_mask(user, datasource, name, column, body.expression)
    return _policy_out(request, table)


@router.delete("/{table}/column-masks/{column}", response=TablePolicyOut)
def delete_column_mask(request: HttpRequest, table: str, column: str) -> TablePolicyOut:
    name = TableName.parse(table)
    user = acting_user(request)
    drop_column_mask(user, get_datasource_for_user(user, name.catalog), name, column)
    return _policy_out(request, table)
