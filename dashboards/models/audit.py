from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One row per governed statement: who ran what, from where, and what came of it."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=32)
    origin = models.CharField(max_length=16)
    datasource = models.CharField(max_length=63, blank=True)
    sql = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
