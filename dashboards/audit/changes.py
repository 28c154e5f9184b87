"""Audit rows for changes to saved objects: saved queries, dashboards, visualizations,
their sharing, and data sources."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from dashboards.models import AuditEvent


def audit_change(
    user: User | None,
    action: str,
    /,
    *,
    origin: str = "web",
    datasource: str = "",
    sql: str = "",
    **detail: Any,
) -> None:
    """One row saying `user` did `action` (e.g. "dashboard.share") with `detail`; a change
    of a saved query names its data source and SQL too."""
    AuditEvent.objects.create(
        user=user,
        action=action,
        origin=origin,
        datasource=datasource,
        sql=sql,
        outcome="ok",
        detail=detail,
    )
