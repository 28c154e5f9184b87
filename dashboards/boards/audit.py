"""Audit rows for changes to dashboards, visualizations and their sharing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from dashboards.models import AuditEvent


def audit_change(user: User | None, action: str, /, **detail: Any) -> None:
    """One row saying `user` did `action` (e.g. "dashboard.share") with `detail`."""
    AuditEvent.objects.create(user=user, action=action, origin="web", outcome="ok", detail=detail)
