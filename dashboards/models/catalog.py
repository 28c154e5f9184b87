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
