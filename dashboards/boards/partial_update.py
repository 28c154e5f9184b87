"""Partial updates of a model instance from a mapping of field changes."""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from django.db import models


def apply_changes(instance: models.Model, changes: Mapping[str, Any], editable: Set[str]) -> None:
    """Set each changed field on `instance` (not saved). Raises KeyError naming the
    fields that are not in `editable`, before setting any."""
    unknown = set(changes) - editable
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    for field, value in changes.items():
        setattr(instance, field, value)
