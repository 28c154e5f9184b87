from __future__ import annotations

from django.conf import settings
from django.db import models


class AccessToken(models.Model):
    """A personal access token. Only its SHA-256 is stored (and SCRAM keys for the wire
    endpoint); the token itself is shown once, when it is created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    scram_stored_key = models.CharField(max_length=64, blank=True)
    scram_server_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"


class WireCredential(models.Model):
    """The SCRAM-SHA-256 secret of a user's password for the wire endpoint, in PostgreSQL's
    own format (see dashboards/wire_credentials.py). It belongs to the password hash whose
    digest it records: once `user.password` changes, it no longer applies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="wire_credential",
    )
    password_digest = models.CharField(max_length=64)
    scram_secret = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"wire credential of {self.user_id}"
