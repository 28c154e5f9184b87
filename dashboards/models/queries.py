from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from dashboards.models.catalog import DataSource


class RunStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class SavedQuery(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sql = models.TextField()
    datasource = models.ForeignKey(DataSource, on_delete=models.PROTECT)
    # a list of parameter specs: {"name", "type", "options", "is_multi", "default"}
    parameters = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name


class Execution(models.Model):
    """One execution of one fingerprint on an engine, shared by every run that asked for it.

    `inflight_key` holds the fingerprint while the execution is queued or running and is
    cleared when it ends: its unique constraint is the single-flight claim every web and
    worker process shares.
    """

    fingerprint = models.CharField(max_length=64, db_index=True)
    inflight_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    datasource = models.ForeignKey(DataSource, on_delete=models.CASCADE)
    statement_sql = models.TextField()  # governed SQL in the data source's dialect
    user_sql = models.TextField()  # what the user wrote, to map error positions back
    max_rows = models.PositiveBigIntegerField()
    max_bytes = models.PositiveBigIntegerField()
    timeout_s = models.FloatField()
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    cancel_requested = models.BooleanField(default=False)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)


class QueryRun(models.Model):
    """What one user asked for, and what they got: the row behind `/api/runs/{id}`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    datasource = models.ForeignKey(DataSource, on_delete=models.CASCADE)
    saved_query = models.ForeignKey(
        SavedQuery, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    execution = models.ForeignKey(
        Execution, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    sql = models.TextField()
    parameters = models.JSONField(default=dict, blank=True)
    origin = models.CharField(max_length=16)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    is_cached = models.BooleanField(default=False)
    error_message = models.TextField(blank=True)
    error_position = models.PositiveIntegerField(null=True, blank=True)
    error_sqlstate = models.CharField(max_length=5, blank=True)
    is_retryable = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
