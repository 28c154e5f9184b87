"""Tableau's temporary tables: created, filled, read and dropped per session, invisible
to other sessions and gone at disconnect; governed tables are never written."""

from __future__ import annotations

import psycopg
import pytest

from tests.pgwire.conftest import RunningServer

PROBE = '"#Tableau_37_1D2A_Connect_Check"'


def test_tableau_connect_check_creates_and_drops(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        cursor = connection.execute(
            f'CREATE LOCAL TEMPORARY TABLE {PROBE} ("COL" INTEGER) ON COMMIT PRESERVE ROWS'
        )
        assert cursor.statusmessage == "CREATE TABLE"
        assert connection.execute(f"DROP TABLE {PROBE}").statusmessage == "DROP TABLE"


def test_filter_table_is_filled_and_read_in_its_session_only(wire: RunningServer) -> None:
    with (
        psycopg.connect(wire.dsn(), autocommit=True) as mine,
        psycopg.connect(wire.dsn(), autocommit=True) as other,
    ):
        mine.execute('CREATE TEMPORARY TABLE "#Tableau_F" ("name" TEXT)')
        inserted = mine.execute(
            'INSERT INTO "#Tableau_F" ("name") VALUES (%s), (%s)', ("item 1", "item 2")
        )
        assert inserted.statusmessage == "INSERT 0 2"
        rows = mine.execute('SELECT "name" FROM "#Tableau_F" ORDER BY 1').fetchall()
        assert rows == [("item 1",), ("item 2",)]
        with pytest.raises(psycopg.errors.UndefinedTable, match="#Tableau_F"):
            other.execute('SELECT * FROM "#Tableau_F"')


def test_select_into_materialises_a_governed_query(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        cursor = connection.execute(
            'SELECT id, name INTO TEMPORARY TABLE "#Tableau_I" FROM items WHERE id <= 3'
        )
        assert cursor.statusmessage == "SELECT 3"
        assert connection.execute('SELECT count(*) FROM "#Tableau_I"').fetchone() == (3,)
        connection.execute("DISCARD TEMP")
        with pytest.raises(psycopg.errors.UndefinedTable, match="#Tableau_I"):
            connection.execute('SELECT * FROM "#Tableau_I"')


def test_writing_governed_tables_is_still_refused(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        with pytest.raises(psycopg.Error) as raised:
            connection.execute("DROP TABLE items")
        assert raised.value.sqlstate == "42501"
        assert connection.execute("SELECT count(*) FROM items").fetchone() == (100,)


def test_filter_table_joins_governed_data(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True) as connection:
        connection.execute('CREATE LOCAL TEMPORARY TABLE "#Tableau_J" ("name" TEXT, "n" INTEGER)')
        connection.execute(
            'INSERT INTO "#Tableau_J" VALUES (%s, %s), (%s, %s)', ("item 4", 1, "item 9", 2)
        )
        rows = connection.execute(
            'SELECT i.id, f.n FROM items i JOIN "#Tableau_J" f ON i.name = f."name" ORDER BY 1'
        ).fetchall()
        assert rows == [(4, 1), (9, 2)]
