"""The version history of saved queries: a version per saved change of SQL, parameters or
data source, a line diff between two versions, and restoring an old one as the newest."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max

from dashboards.audit.changes import audit_change
from dashboards.models import QueryVersion, SavedQuery


def record_version(user: User | None, query: SavedQuery, *, note: str = "") -> QueryVersion | None:
    """Append a version when the query's SQL, parameters or data source differ from its
    newest version. Returns the new version, or None when nothing changed. Call inside the
    transaction that saved the query."""
    latest = query.versions.first()
    datasource = query.datasource.name
    if latest is not None and (latest.sql, latest.parameters, latest.datasource) == (
        query.sql,
        query.parameters,
        datasource,
    ):
        return None
    number = (query.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return QueryVersion.objects.create(
        query=query,
        number=number,
        name=query.name,
        sql=query.sql,
        datasource=datasource,
        parameters=query.parameters,
        author=user if user is not None and user.is_authenticated else None,
        note=note,
    )


def restore_version(user: User, query: SavedQuery, number: int) -> QueryVersion:
    """Make version `number` the query's current SQL and parameters, recorded as a new
    version (history is never rewritten). Raises QueryVersion.DoesNotExist."""
    with transaction.atomic():
        old = query.versions.get(number=number)
        query.sql = old.sql
        query.parameters = old.parameters
        query.full_clean()
        query.save()
        version = record_version(user, query, note=f"restored version {number}")
        audit_change(
            user,
            "query.restore_version",
            datasource=query.datasource.name,
            sql=query.sql,
            query_id=query.pk,
            version=number,
        )
    return version or query.versions.first()  # type: ignore[return-value]


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add" | "del" | "same" | "hunk"
    text: str


def diff_versions(old: QueryVersion, new: QueryVersion, *, context: int = 3) -> list[DiffLine]:
    """A unified line diff of the two versions' SQL; empty when they are the same."""
    lines = difflib.unified_diff(
        old.sql.splitlines(),
        new.sql.splitlines(),
        fromfile=f"version {old.number}",
        tofile=f"version {new.number}",
        n=context,
        lineterm="",
    )
    kinds = {"+": "add", "-": "del", "@": "hunk"}
    out = []
    for line in lines:
        if line.startswith(("+++", "---")):
            continue
        out.append(DiffLine(kinds.get(line[:1], "same"), line))
    return out
