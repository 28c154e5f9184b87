"""Service functions for editor drafts: unsaved text kept per user and editor."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from dashboards.models import Draft

MAX_DRAFT_CHARS = 1_000_000


def save_draft(
    user: User,
    *,
    key: str,
    sql: str,
    datasource: str,
    parameters: list[dict[str, Any]],
) -> Draft:
    """Store the draft (last write wins). Raises ValueError for an oversized text."""
    if len(sql) > MAX_DRAFT_CHARS:
        raise ValueError(f"a draft holds at most {MAX_DRAFT_CHARS:,} characters")
    draft, _ = Draft.objects.update_or_create(
        user=user,
        key=key,
        defaults={
            "sql": sql,
            "datasource": datasource,
            "parameters": parameters,
            "updated_at": timezone.now(),
        },
    )
    return draft


def get_draft(user: User, key: str) -> Draft | None:
    return Draft.objects.filter(user_id=user.pk, key=key).first()


def discard_draft(user: User, key: str) -> None:
    Draft.objects.filter(user_id=user.pk, key=key).delete()


def draft_key(query_id: int | None) -> str:
    return "new" if query_id is None else f"query-{query_id}"
