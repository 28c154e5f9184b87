"""What the SQL workspace keeps besides saved queries themselves: per-user drafts, the
version history of each saved query's SQL, tags, and the trash that makes delete undoable."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from dashboards.models.queries import SavedQuery


class Draft(models.Model):
    """Unsaved editor text of one user, one per editor (`key` is "new" or "query-<id>"), so
    it survives a reload and shows up in a second tab."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=64)
    datasource = models.CharField(max_length=63, blank=True)
    sql = models.TextField(blank=True)
    parameters = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_draft_per_editor")]


class QueryVersion(models.Model):
    """One saved state of a query's SQL and parameters; numbered from 1 per query."""

    query = models.ForeignKey(SavedQuery, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    sql = models.TextField()
    datasource = models.CharField(max_length=63)
    parameters = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["query", "number"], name="one_version_number")
        ]


class QueryTag(models.Model):
    query = models.ForeignKey(SavedQuery, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(
        max_length=50,
        validators=[RegexValidator(r"^[\w\- .:/]+$", "letters, digits, space and - _ . : /")],
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["query", "name"], name="one_tag_per_query")]


class QueryTrash(models.Model):
    """A deleted query: hidden everywhere, restorable by its owner until purged."""

    query = models.OneToOneField(SavedQuery, on_delete=models.CASCADE, related_name="trash")
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    trashed_at = models.DateTimeField(auto_now_add=True)
