"""SCRAM-SHA-256 secrets of users' passwords, so a wire login runs no password hashing.

A Django password hash (PBKDF2, 1,000,000 iterations) is itself a SCRAM verifier, but the
client must then hash the password that many times at every login (~0.45 s). Like
PostgreSQL, we keep a second secret per user with 4,096 iterations and a random 16-byte
salt, in PostgreSQL's own format (`pg_authid.rolpassword`):
`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64.

1. `WirePasswordHasher` (first in PASSWORD_HASHERS; Django's `pbkdf2_sha256`, unchanged)
   makes the secret of every password it hashes and keeps it for its thread. Hooking the
   hasher rather than `set_password` matters: `create_user`/`create_superuser` (the
   createsuperuser command, the first-run page, the demo) hash with `make_password`.
2. When a user is saved with that hash as `user.password`, `record_password_change`
   stores the secret with a digest of the hash: a new password, a hash upgrade, and — on
   the save of `last_login` after a web login — a user who had no current secret yet.
3. A login uses the secret only while that digest matches `user.password`: a password
   changed or made unusable any other way (a raw UPDATE, another hasher) leaves it stale,
   and the wire endpoint falls back to the Django hash.

At rest, StoredKey and ServerKey are what PostgreSQL stores too: they cannot log in by
themselves (a proof needs ClientKey), but whoever reads them may guess passwords offline
at 4,096 PBKDF2 iterations per guess instead of 1,000,000, and ServerKey lets them pose
as the server. The metadata database deserves the protection of PostgreSQL's catalog.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User

from dashboards.identity.scram import SCRAM_ITERATIONS, scram_keys
from dashboards.models import WireCredential

SALT_BYTES = 16
_SCHEME = "SCRAM-SHA-256"


@dataclass(frozen=True)
class ScramSecret:
    salt: bytes
    iterations: int
    stored_key: bytes
    server_key: bytes

    @classmethod
    def of_password(cls, password: str) -> ScramSecret:
        salt = secrets.token_bytes(SALT_BYTES)
        stored_key, server_key = scram_keys(password, salt, SCRAM_ITERATIONS)
        return cls(salt, SCRAM_ITERATIONS, stored_key, server_key)

    @classmethod
    def from_text(cls, text: str) -> ScramSecret:
        """Raises ValueError when `text` is not a SCRAM-SHA-256 secret."""
        scheme, iterations_salt, keys = text.split("$")
        iterations, salt = iterations_salt.split(":")
        stored_key, server_key = keys.split(":")
        if scheme != _SCHEME:
            raise ValueError(f"not a {_SCHEME} secret")
        decode = base64.b64decode
        return cls(decode(salt), int(iterations), decode(stored_key), decode(server_key))

    def to_text(self) -> str:
        salt, stored_key, server_key = (
            base64.b64encode(part).decode()
            for part in (self.salt, self.stored_key, self.server_key)
        )
        return f"{_SCHEME}${self.iterations}:{salt}${stored_key}:{server_key}"

    def matches(self, password: str) -> bool:
        """Whether `password` is the one this secret was made from (PBKDF2 at the secret's
        iterations, as PostgreSQL checks a cleartext password against its secret)."""
        stored_key, _ = scram_keys(password, self.salt, self.iterations)
        return hmac.compare_digest(stored_key, self.stored_key)


# the Django hash the hasher made last in this thread, and the secret of its password
_last_hashed = threading.local()


class WirePasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 hasher, same algorithm name and hashes, that also makes the SCRAM
    secret of each password it hashes (about 0.5% more work)."""

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        encoded = super().encode(password, salt, iterations)
        _last_hashed.value = (encoded, ScramSecret.of_password(password))
        return encoded


def password_digest(encoded: str) -> str:
    """The digest of a Django password hash that ties a secret to it."""
    return hashlib.sha256(encoded.encode()).hexdigest()


def record_password_change(
    sender: type[AbstractBaseUser],
    instance: AbstractBaseUser,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    """post_save receiver of the user model: stores the secret of the password whose hash
    this thread made last when the user now has that hash (then the password is right)."""
    last = getattr(_last_hashed, "value", None)
    if last is None or last[0] != instance.password:
        return
    del _last_hashed.value
    digest = password_digest(instance.password)
    is_password_saved = update_fields is None or "password" in update_fields
    current = WireCredential.objects.filter(user_id=instance.pk, password_digest=digest)
    if not is_password_saved and current.exists():
        return  # a save after a password check (last_login), nothing new to store
    WireCredential.objects.update_or_create(
        user_id=instance.pk,
        defaults={"password_digest": digest, "scram_secret": last[1].to_text()},
    )


def get_login_user(username: str) -> User | None:
    """The active user called `username`, with their credential loaded; else None."""
    users = User.objects.select_related("wire_credential")
    return users.filter(username=username, is_active=True).first()


def current_secret(user: User) -> ScramSecret | None:
    """The secret of the user's current password (`user` from `get_login_user`); None when
    none was recorded or the password has changed since. Raises ValueError when the stored
    secret is malformed."""
    try:
        credential = user.wire_credential
    except WireCredential.DoesNotExist:
        return None
    if not hmac.compare_digest(credential.password_digest, password_digest(user.password)):
        return None
    return ScramSecret.from_text(credential.scram_secret)


def authenticate_password(username: str, password: str) -> User | None:
    """The active user when `password` is theirs, else None: checked against the current
    secret when there is one (4,096 iterations), else by Django's hashers."""
    user = get_login_user(username)
    secret = current_secret(user) if user is not None else None
    if secret is None:
        user = authenticate(None, username=username, password=password)
        return user if isinstance(user, User) and user.is_active else None
    return user if secret.matches(password) else None
