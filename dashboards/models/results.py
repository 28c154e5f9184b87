from __future__ import annotations

from django.db import models


class ResultEntry(models.Model):
    """The metadata row of one stored Arrow result; the file is named by the fingerprint."""

    fingerprint = models.CharField(max_length=64, primary_key=True)
    datasource = models.CharField(max_length=63)
    columns = models.JSONField(default=list)
    row_count = models.PositiveBigIntegerField(default=0)
    byte_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(db_index=True)
