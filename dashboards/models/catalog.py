from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from connectors.base import SourceSettings
from dashboards.models.encryption import decrypt_secret, encrypt_secret


class Engine(models.TextChoices):
    DUCKDB = "duckdb"
    POSTGRES = "postgres"
    DELTA = "delta"


class DataSource(models.Model):
    """A catalog: one engine, one place, and the limits for SQL run against it."""

    name = models.CharField(
        max_length=63,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "lower-case letters, digits and _")],
    )
    engine = models.CharField(max_length=16, choices=Engine.choices)
    path = models.CharField(max_length=1024, blank=True)
    dsn_encrypted = models.TextField(blank=True)
    threads = models.PositiveIntegerField(default=2)
    memory_limit = models.CharField(max_length=16, default="2GB")
    timeout_s = models.FloatField(default=settings.QUERY_TIMEOUT_S)
    max_rows = models.PositiveBigIntegerField(default=settings.QUERY_MAX_ROWS)
    max_bytes = models.PositiveBigIntegerField(default=settings.QUERY_MAX_BYTES)
    # bumped by the app's own loaders when they write, so fingerprints of cached results change
    data_version = models.PositiveBigIntegerField(default=0)
    # bumped whenever a row filter or column mask of one of its tables changes
    policy_version = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def dsn(self) -> str:
        return decrypt_secret(self.dsn_encrypted)

    @dsn.setter
    def dsn(self, value: str) -> None:
        self.dsn_encrypted = encrypt_secret(value)

    def source_settings(self) -> SourceSettings:
        return SourceSettings(
            engine=self.engine,
            path=self.path,
            dsn=self.dsn,
            threads=self.threads,
            memory_limit=self.memory_limit,
            timeout_s=self.timeout_s,
        )


class SecuredTable(models.Model):
    """A table of a data source with a row filter and/or column masks: SQL expressions over
    its columns, in the data source's dialect, that may call `current_user()` and
    `is_member('group')`. `columns` is the table's column list when a policy was last set:
    the filtered, masked subquery that stands for the table lists exactly these."""

    datasource = models.ForeignKey(
        DataSource, on_delete=models.CASCADE, related_name="secured_tables"
    )
    schema = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    columns = models.JSONField(default=list)
    row_filter = models.TextField(blank=True)
    masks = models.JSONField(default=dict, blank=True)  # column -> expression
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["datasource", "schema", "name"], name="one_policy_per_table"
            )
        ]

    def __str__(self) -> str:
        return f"{self.datasource.name}.{self.schema}.{self.name}"
