"""Wire logins against dashwire accounts with real clients: the SCRAM secret kept beside
each password, the fallback to the Django hash, personal access tokens, and how soon a
change reaches the endpoint."""

from __future__ import annotations

import base64
import hashlib
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psycopg
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from dashboards.identity.scram import scram_keys
from dashboards.identity.tokens import create_token
from dashboards.identity.wire_credentials import ScramSecret
from dashboards.models import DataSource, WireCredential
from pgwire.django_backend import RECHECK_S, DjangoBackend
from pgwire.server.listener import ServerOptions, WireServer
from tests.conftest import build_duckdb_source, run_coroutine
from tests.pgwire.rawclient import RawClient, cstring, message, startup_packet

PASSWORD = "ana-wire-password-1"
NEW_PASSWORD = "ana-wire-password-2"


@pytest.fixture
def server(transactional_db: None, tmp_path: Path) -> Iterator[WireServer]:
    """Committed rows: the server's session threads have their own connections."""
    path = tmp_path / "shop.duckdb"
    build_duckdb_source(path)
    DataSource.objects.create(name="shop", engine="duckdb", path=str(path))
    server = WireServer(DjangoBackend(), ServerOptions(port=0, write_timeout_s=20))
    server.start()
    yield server
    server.close()


@pytest.fixture
def ana(transactional_db: None) -> User:
    """An analyst whose password was set the usual way."""
    return User.objects.create_user("ana", password=PASSWORD)


def _dsn(server: WireServer, user: str, password: str) -> str:
    return (
        f"host=127.0.0.1 port={server.port} dbname=shop user={user} password={password}"
        " sslmode=disable"
    )


def logs_in(server: WireServer, user: str, password: str) -> bool:
    """Whether psycopg logs in and runs a query; a refusal must be for the password."""
    try:
        with psycopg.connect(_dsn(server, user, password), autocommit=True) as connection:
            return connection.execute("SELECT count(*) FROM sales").fetchone() == (100,)
    except psycopg.OperationalError as error:
        assert "password authentication failed" in str(error)
        return False


def offered_iterations(server: WireServer, user: str) -> int:
    """The PBKDF2 iterations the server asks the client for, from its SCRAM server-first."""
    client = RawClient(server.port)
    try:
        client.send(startup_packet(user, "shop"))
        client.read()  # AuthenticationSASL
        first = b"n,,n=,r=abcdefghijklmnop"
        client.send(message(b"p", cstring("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first))
        server_first = client.read().body[4:].decode()
    finally:
        client.close()
    return int(dict(part.split("=", 1) for part in server_first.split(","))["i"])


def test_a_password_set_through_django_logs_in_with_a_4096_iteration_secret(
    server: WireServer, ana: User
) -> None:
    text = WireCredential.objects.get(user=ana).scram_secret
    secret = ScramSecret.from_text(text)
    assert (secret.iterations, len(secret.salt)) == (4096, 16)
    assert PASSWORD not in text and base64.b64encode(PASSWORD.encode()).decode() not in text
    assert scram_keys(PASSWORD, secret.salt, 4096) == (secret.stored_key, secret.server_key)
    assert offered_iterations(server, "ana") == 4096
    assert logs_in(server, "ana", PASSWORD)
    psql = subprocess.run(
        ["psql", _dsn(server, "ana", PASSWORD), "-X", "-A", "-t", "-c", "SELECT 1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (psql.returncode, psql.stdout.strip()) == (0, "1"), psql.stderr


def test_after_a_password_change_only_the_new_password_works(server: WireServer, ana: User) -> None:
    assert logs_in(server, "ana", PASSWORD)
    ana.set_password(NEW_PASSWORD)
    ana.save()
    time.sleep(RECHECK_S)  # the endpoint rereads a user's verifier at most this often
    assert not logs_in(server, "ana", PASSWORD)
    assert logs_in(server, "ana", NEW_PASSWORD)


def test_a_password_hash_replaced_directly_still_logs_in_by_the_django_hash(
    server: WireServer, ana: User
) -> None:
    """No secret matches the new hash, so the verifier comes from the hash itself (here a
    quick 4,096-iteration one; Django's own 1,000,000 work the same, only slowly)."""
    replaced = PBKDF2PasswordHasher().encode(NEW_PASSWORD, "otherSalt123", iterations=4096)
    User.objects.filter(pk=ana.pk).update(password=replaced)
    assert logs_in(server, "ana", NEW_PASSWORD)
    assert not logs_in(server, "ana", PASSWORD)


def test_a_wrong_password_is_refused_with_28P01(server: WireServer, ana: User) -> None:
    async def attempt() -> None:
        await asyncpg.connect(
            host="127.0.0.1",
            port=server.port,
            user="ana",
            password="not-" + PASSWORD,
            database="shop",
            ssl=False,
        )

    with pytest.raises(asyncpg.InvalidPasswordError) as raised:
        run_coroutine(attempt(), 30)
    assert raised.value.sqlstate == "28P01"


def test_a_deactivated_user_is_refused_within_the_recheck_time(
    server: WireServer, ana: User
) -> None:
    assert logs_in(server, "ana", PASSWORD)
    User.objects.filter(pk=ana.pk).update(is_active=False)
    time.sleep(RECHECK_S)
    assert not logs_in(server, "ana", PASSWORD)


def test_a_token_logs_in_until_it_is_revoked(server: WireServer, ana: User) -> None:
    token, row = create_token(ana, name="bi")
    other_token, _ = create_token(ana, name="notebook")
    assert logs_in(server, "token", token)
    assert offered_iterations(server, "token") == 4096
    row.revoked_at = timezone.now()
    row.save()
    time.sleep(RECHECK_S)  # the endpoint rereads the token verifiers at most this often
    assert not logs_in(server, "token", token)
    assert logs_in(server, "token", other_token)


def test_every_way_of_setting_a_password_records_a_current_secret(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first-run page, createsuperuser and create_user hash with make_password, not
    set_password."""
    setup = {"username": "boss", "password": PASSWORD, "password_again": PASSWORD}
    assert Client().post("/setup/", setup).status_code == 302
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", username="root", email="root@example.com")
    changed = User.objects.create_user("changed", password="first-password-1")
    changed.set_password(NEW_PASSWORD)
    changed.save()
    users = (("boss", PASSWORD), ("root", PASSWORD), ("changed", NEW_PASSWORD))
    for username, password in users:
        user = User.objects.get(username=username)
        credential = WireCredential.objects.get(user=user)
        digest = hashlib.sha256(user.password.encode()).hexdigest()
        assert credential.password_digest == digest
        secret = ScramSecret.from_text(credential.scram_secret)
        assert secret.matches(password) and not secret.matches("first-password-1")


def test_a_web_login_records_the_secret_a_user_had_none_of(db: None) -> None:
    """Users from before secrets were kept get one at their next web login."""
    user = User.objects.create_user("old_timer", password=PASSWORD)
    WireCredential.objects.filter(user=user).delete()
    assert Client().login(username="old_timer", password=PASSWORD)
    assert ScramSecret.from_text(WireCredential.objects.get(user=user).scram_secret).matches(
        PASSWORD
    )
