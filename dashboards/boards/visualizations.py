"""Service functions for visualizations: each owns its transaction, validates, audits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from dashboards.audit.changes import audit_change
from dashboards.boards.partial_update import apply_changes
from dashboards.models import SavedQuery, Visualization

EDITABLE_FIELDS = frozenset({"name", "description", "spec", "query"})


def create_visualization(
    user: User,
    *,
    query: SavedQuery,
    name: str,
    spec: dict[str, Any],
    description: str = "",
) -> Visualization:
    """Raises ValidationError when the spec does not parse (the chart's columns are checked
    when a figure is built, since a query's columns can change)."""
    with transaction.atomic():
        visualization = Visualization(
            query=query, name=name, spec=spec, description=description, owner=user
        )
        visualization.full_clean()
        visualization.save()
        audit_change(user, "visualization.create", visualization_id=visualization.pk, name=name)
    return visualization


def update_visualization(
    user: User, visualization: Visualization, *, changes: dict[str, Any]
) -> Visualization:
    """Apply `changes` (keys of EDITABLE_FIELDS; others raise KeyError)."""
    apply_changes(visualization, changes, EDITABLE_FIELDS)
    with transaction.atomic():
        visualization.full_clean()
        visualization.save()
        audit_change(
            user,
            "visualization.update",
            visualization_id=visualization.pk,
            fields=sorted(changes),
        )
    return visualization


def delete_visualization(user: User, visualization: Visualization) -> None:
    """Deletes it and the widgets showing it."""
    with transaction.atomic():
        audit_change(
            user, "visualization.delete", visualization_id=visualization.pk, name=visualization.name
        )
        visualization.delete()
