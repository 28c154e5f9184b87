"""SCRAM-SHA-256 keys (RFC 5802 §3): the one derivation of StoredKey and ServerKey.

Passwords, tokens and Django's own PBKDF2 hashes all become wire-login verifiers through
these two functions. Plain standard library, so the wire endpoint's adapter uses it too.
"""

from __future__ import annotations

import hashlib
import hmac

SCRAM_ITERATIONS = 4096


def keys_from_salted_password(salted_password: bytes) -> tuple[bytes, bytes]:
    """(StoredKey, ServerKey) of a SaltedPassword, e.g. the digest of a Django PBKDF2 hash."""
    client_key = hmac.digest(salted_password, b"Client Key", "sha256")
    server_key = hmac.digest(salted_password, b"Server Key", "sha256")
    return hashlib.sha256(client_key).digest(), server_key


def scram_keys(secret: str, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    """(StoredKey, ServerKey) of `secret` salted with `salt` over `iterations` rounds."""
    salted = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, iterations)
    return keys_from_salted_password(salted)
