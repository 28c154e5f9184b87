"""Message-level behaviour compared with PostgreSQL 15: the same requests are sent, byte
for byte, to our endpoint and to the reference server, and the replies must match
(message types and order, tags, row values, column types; error SQLSTATEs)."""

from __future__ import annotations

import struct

import pytest

from tests.pgwire.conftest import PASSWORD, RunningServer
from tests.pgwire.rawclient import (
    SYNC,
    RawClient,
    Reply,
    bind,
    close,
    describe,
    execute,
    parse,
    query,
)
from tests.pgwire.reference import reference_port

VALUES = "SELECT x FROM (VALUES (1), (2), (3), (4), (5)) AS t(x)"


def _normalize(reply: Reply) -> tuple[str, object]:
    kind = reply.type.decode()
    if kind in ("E", "N"):
        return kind, reply.fields["C"]
    if kind == "T":
        return kind, _row_description(reply.body)
    if kind in ("S", "K"):
        return kind, None
    return kind, reply.body


def _row_description(body: bytes) -> list[tuple[str, int, int, int, int]]:
    (count,) = struct.unpack_from("!h", body)
    offset, fields = 2, []
    for _ in range(count):
        end = body.index(b"\x00", offset)
        name = body[offset:end].decode()
        _, _, oid, typlen, typmod, fmt = struct.unpack_from("!IhIhih", body, end + 1)
        fields.append((name, oid, typlen, typmod, fmt))
        offset = end + 19
    return fields


def _exchange(
    port: int, user: str, password: str, database: str, steps: list[bytes]
) -> list[list[tuple]]:
    client = RawClient(port)
    try:
        client.login(user, password, database)
        results = []
        for step in steps:
            client.send(step)
            results.append([_normalize(reply) for reply in client.read_until_ready()])
        return results
    finally:
        client.close()


def _compare(wire: RunningServer, steps: list[bytes]) -> list[list[tuple]]:
    ours = _exchange(wire.port, "ann", PASSWORD, "demo", steps)
    theirs = _exchange(reference_port(), "postgres", "", "postgres", steps)
    assert ours == theirs
    return ours


SCENARIOS = {
    "portal suspension inside a transaction block, resumed after Sync": [
        query("BEGIN"),
        parse(VALUES) + bind("c1") + describe("P", "c1") + execute("c1", 2) + SYNC,
        execute("c1", 2) + SYNC,
        execute("c1", 2) + SYNC,
        execute("c1", 2) + SYNC,
        query("COMMIT"),
    ],
    "error recovery skips everything until Sync": [
        parse("SELECT 1 AS n")
        + bind()
        + describe("S", "no_such_statement")
        + execute()
        + parse("SELECT 1 AS skipped")
        + bind()
        + execute()
        + SYNC,
        bind("", "no_such_statement") + execute() + SYNC,
        parse("SELECT 1 AS one") + bind() + execute() + SYNC,
    ],
    "an error inside a block fails the block until ROLLBACK": [
        query("BEGIN"),
        query("SELECT * FROM no_such_table"),
        query("SELECT 1"),
        query("ROLLBACK"),
        query("SELECT 2 AS two"),
    ],
    "several statements in one Query, stopping at the first error": [
        query("SELECT 1 AS a; SELECT 'x' AS b"),
        query("SELECT 1; SELECT * FROM no_such_table; SELECT 3"),
    ],
    "empty queries": [query(""), query(";"), query("  -- nothing\n")],
    "Npgsql pooling: DISCARD ALL pipelined before an extended batch": [
        query("DISCARD ALL")
        + parse("SELECT 1 AS a")
        + bind(result_formats=(1,))
        + describe("P")
        + execute()
        + parse("SELECT 'b' AS b")
        + bind(result_formats=(1,))
        + describe("P")
        + execute()
        + SYNC,
    ],
    "Npgsql reset string and asyncpg pool reset": [
        query(
            "SET SESSION AUTHORIZATION DEFAULT;RESET ALL;CLOSE ALL;UNLISTEN *;"
            "DISCARD SEQUENCES;DISCARD TEMP"
        ),
        query("CLOSE ALL; UNLISTEN *; RESET ALL;"),
    ],
    "Npgsql transactions: BEGIN then SET TRANSACTION ISOLATION LEVEL": [
        query("BEGIN"),
        query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"),
        query("COMMIT"),
        query("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED"),
        query("BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY; COMMIT"),
    ],
    "psqlODBC connect sequence and savepoint wrapping": [
        query("SET DateStyle = 'ISO';SET extra_float_digits = 2;show transaction_isolation"),
        query("BEGIN"),
        query("SAVEPOINT _per_query_svp_;SELECT 1;RELEASE _per_query_svp_"),
        query("SAVEPOINT _per_query_svp_;SELECT * FROM no_such_table;RELEASE _per_query_svp_"),
        query("ROLLBACK TO _per_query_svp_; RELEASE _per_query_svp_"),
        query("SELECT 2 AS still_fine"),
        query("COMMIT"),
    ],
    "describe statement with a declared and an inferred parameter": [
        parse("SELECT $1::int4 + 1 AS n", "s1") + describe("S", "s1") + SYNC,
        bind("", "s1", (b"41",)) + execute() + SYNC,
        close("S", "s1") + close("P", "nope") + SYNC,
    ],
    "binary results": [
        parse("SELECT 1::int4 AS a, 2::int8 AS b, true AS c, 'x'::text AS d")
        + bind(result_formats=(1,))
        + describe("P")
        + execute()
        + SYNC,
    ],
    "session commands": [
        query("SET extra_float_digits = 3"),
        query("SHOW extra_float_digits"),
        query("SET DateStyle = 'ISO'; SHOW DateStyle"),
        query("show transaction_isolation"),
        query("SHOW TRANSACTION ISOLATION LEVEL"),
        query("SET application_name = 'PostgreSQL JDBC Driver'"),
        query("SHOW max_identifier_length"),
        query("RESET ALL"),
        query("DISCARD ALL"),
        query("SET no_such_parameter = 1"),
        query("BEGIN; BEGIN; COMMIT; COMMIT"),
        query("SET client_min_messages = error; COMMIT; RESET client_min_messages"),
        query("BEGIN; SAVEPOINT s1; SELECT 1; RELEASE s1; SAVEPOINT s2; ROLLBACK TO s2; COMMIT"),
        query("SAVEPOINT outside"),
    ],
    "cursors": [
        query("BEGIN"),
        query(f'DECLARE "SQL_CUR1" CURSOR WITH HOLD FOR {VALUES};FETCH 2 IN "SQL_CUR1"'),
        query('FETCH 2 IN "SQL_CUR1"'),
        query('MOVE 1 IN "SQL_CUR1"'),
        query('FETCH 2 FROM "SQL_CUR1"'),
        query("COMMIT"),
        query('FETCH ALL IN "SQL_CUR1"'),
        query('CLOSE "SQL_CUR1"'),
        query('CLOSE "SQL_CUR1"'),
        query(f"DECLARE c2 CURSOR FOR {VALUES}"),
    ],
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_replies_match_postgres(wire: RunningServer, name: str) -> None:
    _compare(wire, SCENARIOS[name])


def test_column_names_follow_postgres(wire: RunningServer) -> None:
    replies = _compare(
        wire,
        [
            query(
                'SELECT 1, 1 AS Foo, 1 AS "Bar", count(*), 1::int, true, 2 + 2 '
                "FROM (VALUES (1)) t(x)"
            )
        ],
    )
    names = [field[0] for field in replies[0][0][1]]
    assert names == ["?column?", "foo", "Bar", "count", "int4", "?column?", "?column?"]


def test_a_statement_failing_at_parse_skips_the_rest_until_sync(wire: RunningServer) -> None:
    client = RawClient(wire.port)
    client.login("ann", PASSWORD)
    client.send(
        parse("SELECT * FROM no_such_table")
        + bind()
        + describe("P")
        + execute()
        + parse("SELECT 1")
        + bind()
        + execute()
        + SYNC
    )
    kinds = [reply.type for reply in client.read_until_ready()]
    assert kinds[-2:] == [b"E", b"Z"] and b"D" not in kinds and kinds.count(b"E") == 1
    client.send(query("SELECT 1 AS ok"))
    assert [reply.type for reply in client.read_until_ready()] == [b"T", b"D", b"C", b"Z"]
    client.close()
