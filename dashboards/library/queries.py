"""Service functions for saved queries: each owns its transaction, validates, audits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from dashboards.library.versions import record_version
from dashboards.models import AuditEvent, DataSource, SavedQuery


def _audit(user: User, action: str, query: SavedQuery) -> None:
    AuditEvent.objects.create(
        user=user,
        action=action,
        origin="api",
        datasource=query.datasource.name,
        sql=query.sql,
        outcome="ok",
        detail={"query_id": query.pk, "name": query.name},
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
        _audit(user, "query.create", query)
    return query


def update_saved_query(user: User, query: SavedQuery, *, changes: dict[str, Any]) -> SavedQuery:
    with transaction.atomic():
        for field, value in changes.items():
            setattr(query, field, value)
        query.full_clean()
        query.save()
        record_version(user, query)
        _audit(user, "query.update", query)
    return query


def delete_saved_query(user: User, query: SavedQuery) -> None:
    with transaction.atomic():
        _audit(user, "query.delete", query)
        query.delete()
