"""The reference PostgreSQL server the byte-exact tests compare with."""

from __future__ import annotations

import os
import socket

from tests.conftest import require_service

REFERENCE_HOST = "127.0.0.1"


def reference_port() -> int:
    """The port of the reference PostgreSQL (env PGWIRE_REFERENCE_PORT, default 5432);
    skips (fails in CI) when it is not reachable."""
    port = int(os.environ.get("PGWIRE_REFERENCE_PORT", "5432"))
    try:
        socket.create_connection((REFERENCE_HOST, port), timeout=2).close()
    except OSError as error:
        require_service("reference PostgreSQL", str(error))
    return port


def reference_dsn() -> str:
    user = os.environ.get("PGWIRE_REFERENCE_USER", "postgres")
    return f"host={REFERENCE_HOST} port={reference_port()} user={user} dbname=postgres"
