"""Real clients against the endpoint: psql, psycopg 3 (text, binary, prepared) and asyncpg
(binary, type introspection), with authentication, TLS and cancellation."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from decimal import Decimal

import asyncpg
import psycopg
import pytest

from tests.conftest import run_coroutine
from tests.pgwire.conftest import PASSWORD, RunningServer

LONG_QUERY = "SELECT count(*) FROM big a, big b WHERE (a.id + b.twice) % 1000003 = 7"


def _psql(
    wire: RunningServer, *args: str, password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"}
    command = ["psql", wire.dsn().replace(f" password={PASSWORD}", ""), "-X", "-A", "-t", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_psql_runs_queries_and_session_commands(wire: RunningServer) -> None:
    result = _psql(
        wire,
        "-c",
        "SELECT id, name, price FROM items WHERE id <= 2 ORDER BY id",
        "-c",
        "SHOW DateStyle",
        "-c",
        "SELECT 1 AS x; SELECT 'two'",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:5] == [
        "1|item 1|1.25",
        "2|item 2|2.50",
        "ISO, MDY",
        "1",
        "two",
    ]


def test_psql_reports_errors_with_sqlstate(wire: RunningServer) -> None:
    result = _psql(wire, "-v", "VERBOSITY=verbose", "-c", "SELECT * FROM no_such_table")
    assert result.returncode == 1
    assert "42P01" in result.stderr


def test_psql_wrong_password_is_refused(wire: RunningServer) -> None:
    result = _psql(wire, "-c", "SELECT 1", password="wrong")
    assert result.returncode == 2
    assert 'password authentication failed for user "ann"' in result.stderr


def test_unknown_database_is_refused_with_3d000(wire: RunningServer) -> None:
    with pytest.raises(psycopg.OperationalError) as raised:
        psycopg.connect(wire.dsn(dbname="nowhere"))
    assert "does not exist" in str(raised.value)


def test_wrong_password_gives_28p01(wire: RunningServer) -> None:
    with pytest.raises(psycopg.OperationalError) as raised:
        psycopg.connect(wire.dsn(password="nope"))
    assert "28P01" in str(raised.value) or "password authentication failed" in str(raised.value)


def test_psycopg_text_binary_and_prepared(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        sql = "SELECT id, name, price, created, seen, ratio FROM items WHERE id = %s"
        text_row = connection.execute(sql, (5,)).fetchone()
        binary_row = connection.cursor(binary=True).execute(sql, (5,)).fetchone()
        for _ in range(6):
            prepared_row = connection.execute(sql, (5,), prepare=True).fetchone()
        assert text_row == binary_row == prepared_row
        assert text_row is not None and text_row[2] == Decimal("6.25")
        assert connection.execute("SELECT count(*) FROM items").fetchone() == (100,)


def test_psycopg_recovers_after_an_error_in_a_transaction(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn()) as connection:
        with pytest.raises(psycopg.errors.UndefinedTable):
            connection.execute("SELECT * FROM no_such_table")
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            connection.execute("SELECT 1")
        connection.rollback()
        assert connection.execute("SELECT 2").fetchone() == (2,)


def test_psycopg_server_cursor_fetches_in_chunks(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn()) as connection, connection.cursor(name="chunks") as cursor:
        cursor.itersize = 1000
        cursor.execute("SELECT id FROM big WHERE id < 2500 ORDER BY id")
        assert sum(1 for _ in cursor) == 2500


def test_psycopg_over_tls_and_token_login(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(sslmode="require")) as connection:
        assert connection.pgconn.ssl_in_use
        assert connection.execute("SELECT 1").fetchone() == (1,)
    dsn = wire.dsn(user="token", password="dwt_secret_token", sslmode="require")
    with psycopg.connect(dsn) as connection:
        assert connection.execute("SELECT count(*) FROM items").fetchone() == (100,)


def test_token_login_without_tls_is_refused(wire: RunningServer) -> None:
    with pytest.raises(psycopg.OperationalError) as raised:
        psycopg.connect(wire.dsn(user="token", password="dwt_secret_token"))
    assert "TLS" in str(raised.value)


def test_cancel_request_stops_a_running_query(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        timer = threading.Timer(0.5, connection.cancel_safe)
        timer.start()
        with pytest.raises(psycopg.errors.QueryCanceled, match="due to user request"):
            connection.execute(LONG_QUERY)
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_statement_timeout_cancels(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        connection.execute("SET statement_timeout = '300ms'")
        with pytest.raises(psycopg.errors.QueryCanceled) as raised:
            connection.execute(LONG_QUERY)
        assert "statement timeout" in str(raised.value)


def test_asyncpg_binary_params_and_introspection(wire: RunningServer) -> None:
    async def scenario() -> None:
        connection = await asyncpg.connect(
            host="127.0.0.1",
            port=wire.port,
            user="ann",
            password=PASSWORD,
            database="demo",
            ssl=False,
        )
        try:
            row = await connection.fetchrow(
                "SELECT id, name, price, created, seen, ratio FROM items WHERE id = $1", 7
            )
            assert row is not None and row["name"] == "item 7" and row["price"] == Decimal("8.75")
            assert await connection.fetchval("SELECT $1::int + 1", 41) == 42
            await connection.set_type_codec(
                "json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
            )
            assert await connection.fetchval("SELECT '{\"a\": 1}'::json") == {"a": 1}
            async with connection.transaction():
                cursor = await connection.cursor("SELECT id FROM big WHERE id < 500")
                assert len(await cursor.fetch(200)) == 200
        finally:
            await connection.close()

    run_coroutine(scenario(), 60)


def test_search_path_change_reaches_the_catalog(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        assert connection.execute("SELECT current_schema()").fetchone() == ("public",)
        connection.execute("SET search_path = pg_catalog")
        assert connection.execute("SELECT current_setting('search_path')").fetchone() == (
            "pg_catalog",
        )
        assert connection.execute("SELECT current_schema()").fetchone() == ("pg_catalog",)


def test_cancel_request_over_tls(wire: RunningServer) -> None:
    """Npgsql repeats the SSL negotiation on the cancel connection."""
    with psycopg.connect(wire.dsn(sslmode="require"), autocommit=True) as connection:
        assert connection.pgconn.ssl_in_use
        timer = threading.Timer(0.5, connection.cancel_safe)
        timer.start()
        with pytest.raises(psycopg.errors.QueryCanceled):
            connection.execute(LONG_QUERY)


def test_power_bi_navigator_and_data_queries(wire: RunningServer) -> None:
    """Power BI's own SQL: upper-case unquoted information_schema names, then data through
    `"public"."table"` aliased `"$Table"`, all columns in binary (as Npgsql asks)."""
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        cursor = connection.cursor(binary=True)
        tables = cursor.execute(
            "select TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE from INFORMATION_SCHEMA.TABLES "
            "where TABLE_SCHEMA not in ('information_schema', 'pg_catalog') "
            "order by TABLE_SCHEMA, TABLE_NAME"
        ).fetchall()
        assert ("public", "items", "BASE TABLE") in tables
        columns = cursor.execute(
            "select COLUMN_NAME, ORDINAL_POSITION, IS_NULLABLE, DATA_TYPE "
            "from INFORMATION_SCHEMA.COLUMNS where TABLE_SCHEMA = 'public' "
            "and TABLE_NAME = 'items' order by TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"
        ).fetchall()
        assert columns[:2] == [("id", 1, "NO", "integer"), ("name", 2, "YES", "character varying")]
        rows = cursor.execute(
            'select "$Table"."id" as "id", "$Table"."price" as "price" '
            'from "public"."items" "$Table" where "$Table"."id" < 3 order by 1 limit 1000'
        ).fetchall()
        assert rows == [(1, Decimal("1.25")), (2, Decimal("2.50"))]
        assert cursor.execute('select count(*) from "demo"."public"."items"').fetchone() == (100,)
