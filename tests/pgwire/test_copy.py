"""COPY … TO STDOUT (psql's \\copy, psycopg's copy, pgjdbc's CopyManager): the same bytes
as PostgreSQL 15 sends; COPY FROM and COPY to a file are refused."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.pgwire.conftest import PASSWORD, RunningServer
from tests.pgwire.reference import reference_dsn

TRICKY = """SELECT * FROM (VALUES
    (1, 'plain', 1.50::numeric(10,2), DATE '2024-02-29', true, 0.1::float8),
    (2, E'tab\\there, "quoted"\\nnew line', -0.05::numeric(10,2), DATE '1999-12-31', false, -2.5),
    (3, E'back\\\\slash; semi|pipe', NULL, NULL, NULL, NULL),
    (4, '', 0::numeric(10,2), DATE '2000-01-01', true, 1e300),
    (5, NULL, 10::numeric(10,2), DATE '2024-01-01', false, 'NaN'),
    (6, 'NULL', 1::numeric(10,2), DATE '2024-01-02', true, '-Infinity'),
    (7, 'grüße ✓', 2::numeric(10,2), DATE '2024-01-03', true, 3)
) AS t(id, label, amount, day, flag, ratio) ORDER BY id"""

OPTIONS = [
    "",
    "(FORMAT csv)",
    "(FORMAT csv, HEADER)",
    "(FORMAT csv, HEADER true, FORCE_QUOTE *)",
    "(FORMAT csv, DELIMITER ';', NULL 'NULL', QUOTE '''')",
    "(FORMAT text, DELIMITER '|', NULL 'NA', HEADER)",
    "WITH CSV HEADER",
    "WITH DELIMITER AS ',' NULL AS ''",
]


def _copied(dsn: str, statement: str) -> bytes:
    with (
        psycopg.connect(dsn, autocommit=True) as connection,
        connection.cursor().copy(statement) as copy,
    ):
        return b"".join(bytes(chunk) for chunk in copy)


@pytest.mark.parametrize("options", OPTIONS)
def test_copy_out_bytes_match_postgres(wire: RunningServer, options: str) -> None:
    statement = f"COPY ({TRICKY}) TO STDOUT {options}"
    ours = _copied(wire.dsn(), statement)
    assert ours == _copied(reference_dsn(), statement)
    assert ours.count(b"\n") >= 7


def test_copy_of_a_table_and_its_columns(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        cursor = connection.cursor()
        with cursor.copy("COPY items (id, name) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            lines = b"".join(bytes(chunk) for chunk in copy).decode().splitlines()
        assert cursor.rowcount == 100
        assert lines[:3] == ["id,name", "1,item 1", "2,item 2"]
        with cursor.copy("COPY public.big TO STDOUT") as copy:
            rows = sum(bytes(chunk).count(b"\n") for chunk in copy)
        assert rows == cursor.rowcount == 300_000


def test_psql_copy_writes_a_csv_file(wire: RunningServer, tmp_path: Path) -> None:
    target = tmp_path / "items.csv"
    dsn = wire.dsn().replace(f" password={PASSWORD}", "")
    command = (
        f"\\copy (SELECT id, price FROM items WHERE id <= 3 ORDER BY id) to '{target}' csv header"
    )
    result = subprocess.run(
        ["psql", dsn, "-X", "-c", command],
        env={**os.environ, "PGPASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "COPY 3"
    assert target.read_text() == "id,price\n1,1.25\n2,2.50\n3,3.75\n"


@pytest.mark.parametrize(
    ("statement", "error", "message"),
    [
        ("COPY items FROM STDIN", psycopg.errors.InsufficientPrivilege, "COPY FROM is not"),
        ("COPY items TO '/tmp/items.txt'", psycopg.errors.InsufficientPrivilege, "TO STDOUT"),
        ("COPY items TO PROGRAM 'cat'", psycopg.errors.InsufficientPrivilege, "TO STDOUT"),
        ("COPY items TO STDOUT (FORMAT binary)", psycopg.errors.FeatureNotSupported, "binary"),
        ("COPY (SELECT * FROM nowhere) TO STDOUT", psycopg.errors.UndefinedTable, "nowhere"),
    ],
)
def test_copies_that_are_refused(
    wire: RunningServer, statement: str, error: type[Exception], message: str
) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        with pytest.raises(error, match=message), connection.cursor().copy(statement) as copy:
            for _ in copy:
                pass
        assert connection.execute("SELECT 1").fetchone() == (1,)
