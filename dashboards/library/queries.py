"""Service functions for saved queries: each owns its transaction, validates, audits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from dashboards.audit.changes import audit_change
from dashboards.library.versions import record_version
from dashboards.models import DataSource, SavedQuery


def audit_query_change(user: User, action: str, query: SavedQuery, **detail: Any) -> None:
    """The audit row of a change to a saved query: its data source, SQL, id and name."""
    audit_change(
        user,
        action,
        datasource=query.datasource.name,
        sql=query.sql,
        query_id=query.pk,
        name=query.name,
        **detail,
    )


def create_saved_query(
    user: User,
    *,
    name: str,
    sql: str,
    datasource: DataSource,
    description: str = "",
    parameters: list[dict[str, Any]] | None = None,
) -> SavedQuery:
    with transaction.atomic():
        query = SavedQuery(
            name=name,
            sql=sql,
            datasource=datasource,
            description=description,
            parameters=parameters or [],
            owner=user,
        )
        query.full_clean()
        query.save()
        record_version(user, query)
        audit_query_change(user, "query.create", query)
    return query


def update_saved_query(user: User, query: SavedQuery, *, changes: dict[str, Any]) -> SavedQuery:
    with transaction.atomic():
        for field, value in changes.items():
            setattr(query, field, value)
        query.full_clean()
        query.save()
        record_version(user, query)
        audit_query_change(user, "query.update", query)
    return query


def delete_saved_query(user: User, query: SavedQuery) -> None:
    with transaction.atomic():
        audit_query_change(user, "query.delete", query)
        query.delete()
