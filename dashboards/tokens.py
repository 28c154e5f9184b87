"""Personal access tokens: created once, then only their hashes are kept.

Besides the SHA-256 the API looks tokens up by, a SCRAM-SHA-256 verifier (stored key and
server key, salted with a per-installation salt) lets the wire endpoint accept a token
as a password without ever seeing it in clear text."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from dashboards.models import AccessToken

TOKEN_PREFIX = "dw_"
SCRAM_ITERATIONS = 4096
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_scram_salt() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"dashwire-token-scram-salt", "sha256").digest()[
        :16
    ]


def scram_keys(secret: str, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    """(StoredKey, ServerKey) of RFC 5802 for `secret`."""
    salted = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, iterations)
    return scram_keys_from_salted_password(salted)


def scram_keys_from_salted_password(salted: bytes) -> tuple[bytes, bytes]:
    """(StoredKey, ServerKey) of RFC 5802 from SaltedPassword (which a Django
    `pbkdf2_sha256` password hash is)."""
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    return hashlib.sha256(client_key).digest(), server_key


def create_token(user: User, *, name: str) -> tuple[str, AccessToken]:
    """Return (the token, its row). The token itself is not stored anywhere."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    stored_key, server_key = scram_keys(token, token_scram_salt(), SCRAM_ITERATIONS)
    row = AccessToken.objects.create(
        user=user,
        name=name,
        token_hash=hash_token(token),
        scram_stored_key=stored_key.hex(),
        scram_server_key=server_key.hex(),
    )
    return token, row


def active_tokens() -> Q:
    now = timezone.now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


@dataclass(frozen=True)
class TokenKeys:
    stored_key: bytes
    server_key: bytes
    user_id: int
    username: str


def active_token_keys() -> list[TokenKeys]:
    """The SCRAM keys of every active token of an active user, in one query."""
    rows = (
        AccessToken.objects.filter(active_tokens(), user__is_active=True)
        .exclude(scram_stored_key="")
        .values_list("scram_stored_key", "scram_server_key", "user_id", "user__username")
    )
    return [
        TokenKeys(bytes.fromhex(stored_key), bytes.fromhex(server_key), user_id, username)
        for stored_key, server_key, user_id, username in rows
    ]


def authenticate_token(token: str) -> User | None:
    """The active user owning this active token, else None."""
    row = (
        AccessToken.objects.filter(active_tokens(), token_hash=hash_token(token))
        .select_related("user")
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        # a write per request would serialise API calls on SQLite for a detail nobody needs
        AccessToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
