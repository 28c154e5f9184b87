"""The endpoint over the real Django backend: dashwire users and tokens, a data source,
the governance function and the result cache — exercised with psql, psycopg and asyncpg."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psycopg
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User

from dashboards.audit.batches import wire_audit
from dashboards.identity.tokens import create_token
from dashboards.models import AuditEvent, DataSource, ResultEntry
from pgwire.django_backend import DjangoBackend
from pgwire.server.listener import ServerOptions, WireServer
from tests.conftest import build_duckdb_source, run_coroutine

PASSWORD = "analyst-wire-pw"


def _fast_hash(password: str) -> str:
    """A pbkdf2_sha256 hash with few iterations, so each client login stays quick."""
    return PBKDF2PasswordHasher().encode(password, "wiresalt1234", iterations=4096)


class Served:
    def __init__(self, server: WireServer, token: str) -> None:
        self.server, self.token = server, token

    def dsn(self, **extra: str) -> str:
        parts = {
            "host": "127.0.0.1",
            "port": str(self.server.port),
            "dbname": "shop",
            "user": "wire_analyst",
            "password": PASSWORD,
            "sslmode": "disable",
            **extra,
        }
        return " ".join(f"{key}={value}" for key, value in parts.items())


@pytest.fixture
def served(transactional_db: None, tmp_path: Path) -> Iterator[Served]:
    """Committed rows (the server's worker threads have their own connections)."""
    path = tmp_path / "shop.duckdb"
    build_duckdb_source(path)
    DataSource.objects.create(name="shop", engine="duckdb", path=str(path))
    analyst = User.objects.create(username="wire_analyst", password=_fast_hash(PASSWORD))
    User.objects.create(username="wire_gone", password=_fast_hash(PASSWORD), is_active=False)
    token, _ = create_token(analyst, name="bi")
    server = WireServer(DjangoBackend(), ServerOptions(port=0, write_timeout_s=20))
    server.start()
    yield Served(server, token)
    server.close()
    wire_audit.flush()  # while this test's users still exist


def psql_lines(served: Served, *commands: str) -> list[str]:
    """psql's unaligned, tuples-only output of `commands`, the password from the
    environment as a BI user's ~/.pgpass would give it."""
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    dsn = served.dsn().replace(f" password={PASSWORD}", "")
    arguments = [argument for command in commands for argument in ("-c", command)]
    result = subprocess.run(
        ["psql", dsn, "-X", "-A", "-t", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_psql_browses_and_queries(served: Served) -> None:
    lines = psql_lines(served, "SELECT region, count(*) FROM sales GROUP BY 1 ORDER BY 1", "\\dt")
    assert lines[:4] == ["region_0|25", "region_1|25", "region_2|25", "region_3|25"]
    assert any("|sales|table|" in line for line in lines)


def test_psycopg_queries_go_through_governance_and_cache(served: Served) -> None:
    sql = "SELECT id, region, amount, day FROM sales WHERE id = %s"
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        first = connection.execute(sql, (3,)).fetchone()
        binary = connection.cursor(binary=True).execute(sql, (3,)).fetchone()
        assert first == binary and first is not None and first[1] == "region_3"
        assert connection.execute("SELECT * FROM sales").rowcount == 100
    wire_audit.flush()  # the wire endpoint's audit rows are written in batches
    assert AuditEvent.objects.filter(origin="wire", outcome="allowed", sql=sql % 3).exists()
    assert ResultEntry.objects.exists()


def test_refused_statements_report_the_governance_message(served: Served) -> None:
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as raised:
            connection.execute("DELETE FROM sales")
        assert "only read statements" in str(raised.value)
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_logins_are_checked_against_dashwire_accounts(served: Served) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(served.dsn(password="wrong"))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(served.dsn(user="wire_gone"))
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        psycopg.connect(served.dsn(dbname="elsewhere"))


def test_token_logs_in_over_scram_and_over_tls(served: Served) -> None:
    for extra in ({}, {"sslmode": "require"}):
        dsn = served.dsn(user="token", password=served.token, **extra)
        with psycopg.connect(dsn) as connection:
            assert connection.execute("SELECT count(*) FROM sales").fetchone() == (100,)


def test_asyncpg_through_the_django_backend(served: Served) -> None:
    async def scenario() -> None:
        connection = await asyncpg.connect(
            host="127.0.0.1",
            port=served.server.port,
            user="wire_analyst",
            password=PASSWORD,
            database="shop",
            ssl=False,
        )
        try:
            rows = await connection.fetch("SELECT id, amount FROM sales WHERE id < $1", 4)
            assert [row["id"] for row in rows] == [1, 2, 3]
        finally:
            await connection.close()

    run_coroutine(scenario(), 60)


def test_catalog_and_temp_table_statements_are_audited(served: Served) -> None:
    """They never reach the data source, but governance allows and audits each one."""
    catalog_sql = "SELECT count(*) FROM pg_catalog.pg_class, range(3)"
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        assert connection.execute(catalog_sql).fetchone() is not None
        connection.execute('CREATE TEMP TABLE "#Tableau_F" (a INTEGER)')
        connection.execute('INSERT INTO "#Tableau_F" VALUES (1)')
        connection.execute("SET statement_timeout = 300")
        with pytest.raises(psycopg.errors.QueryCanceled):
            connection.execute('SELECT max(hash(i + a)) FROM "#Tableau_F", range(30000000000) t(i)')
    wire_audit.flush()
    audited = AuditEvent.objects.filter(origin="wire", outcome="allowed")
    assert audited.filter(sql=catalog_sql, detail__runs_on="catalog").exists()
    assert audited.filter(
        detail__runs_on="temp_tables", sql__contains="range(30000000000)"
    ).exists()
