"""pg8000 (a pure-Python driver: SCRAM, extended protocol with declared parameter types,
text results) and SQLAlchemy's inspector over psycopg (the reflection queries pandas,
Superset and many ETL tools send)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pg8000.dbapi
import pg8000.native
import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from tests.pgwire.conftest import PASSWORD, RunningServer


@pytest.fixture
def pg8000_connection(wire: RunningServer) -> Iterator[pg8000.native.Connection]:
    connection = pg8000.native.Connection(
        "ann", password=PASSWORD, host="127.0.0.1", port=wire.port, database="demo", timeout=30
    )
    yield connection
    connection.close()


def test_pg8000_queries_with_parameters_and_types(
    pg8000_connection: pg8000.native.Connection,
) -> None:
    rows = pg8000_connection.run(
        "SELECT id, name, price, created, ratio FROM items WHERE id < :top ORDER BY id", top=3
    )
    assert rows[0] == [1, "item 1", Decimal("1.25"), datetime.date(2024, 1, 2), 1 / 3]
    assert len(rows) == 2
    assert [column["name"] for column in pg8000_connection.columns] == [
        "id",
        "name",
        "price",
        "created",
        "ratio",
    ]
    assert pg8000_connection.run("SELECT :v::text || 'x', :n::int + 1", v="a", n=41) == [["ax", 42]]


def test_pg8000_browses_the_catalog(pg8000_connection: pg8000.native.Connection) -> None:
    tables = pg8000_connection.run(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    )
    assert {"items", "big"} <= {row[0] for row in tables}
    columns = pg8000_connection.run(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
        " WHERE a.attrelid = 'public.items'::regclass AND a.attnum > 0 ORDER BY a.attnum"
    )
    assert columns[:3] == [
        ["id", "integer"],
        ["name", "character varying"],
        ["price", "numeric(10,2)"],
    ]


def test_pg8000_streams_recovers_and_is_refused(
    pg8000_connection: pg8000.native.Connection,
) -> None:
    assert len(pg8000_connection.run("SELECT id, label FROM big")) == 300_000
    with pytest.raises(pg8000.native.DatabaseError) as raised:
        pg8000_connection.run("SELECT * FROM no_such_table")
    assert raised.value.args[0]["C"] == "42P01"
    assert pg8000_connection.run("SELECT 1") == [[1]]


def test_pg8000_dbapi_in_a_transaction(wire: RunningServer) -> None:
    connection = pg8000.dbapi.connect(
        user="ann", password=PASSWORD, host="127.0.0.1", port=wire.port, database="demo"
    )
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM items WHERE price > %s", (Decimal("100"),))
        assert cursor.fetchone() == [20]
        connection.commit()
    finally:
        connection.close()


@pytest.fixture
def sqlalchemy_engine(wire: RunningServer) -> Iterator[Engine]:
    engine = create_engine(
        f"postgresql+psycopg://ann:{PASSWORD}@127.0.0.1:{wire.port}/demo?sslmode=disable"
    )
    yield engine
    engine.dispose()


def test_sqlalchemy_inspector_reflects_tables_and_columns(sqlalchemy_engine: Engine) -> None:
    inspector = inspect(sqlalchemy_engine)
    assert "public" in inspector.get_schema_names()
    assert {"items", "big", "zoo"} <= set(inspector.get_table_names())
    columns = {column["name"]: column for column in inspector.get_columns("items")}
    assert list(columns) == ["id", "name", "price", "created", "seen", "ratio"]
    assert str(columns["price"]["type"]) == "NUMERIC(10, 2)"
    assert str(columns["name"]["type"]) == "VARCHAR"
    assert str(columns["created"]["type"]) == "DATE"
    assert columns["id"]["nullable"] is False
    assert inspector.get_pk_constraint("items")["constrained_columns"] == ["id"]
    assert inspector.get_foreign_keys("items") == []
    assert inspector.get_indexes("items") == []  # the primary key's index is not listed
    assert "items" not in inspector.get_view_names()


def test_sqlalchemy_inspector_reflects_keys(sqlalchemy_engine: Engine) -> None:
    inspector = inspect(sqlalchemy_engine)
    primary_key = inspector.get_pk_constraint("stock")
    assert (primary_key["name"], primary_key["constrained_columns"]) == (
        "stock_pkey",
        ["item_id", "supplier_code"],
    )
    assert inspector.get_pk_constraint("big")["constrained_columns"] == []
    foreign_keys = [
        (fk["name"], fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
        for fk in inspector.get_foreign_keys("stock")
    ]
    assert foreign_keys == [
        ("stock_item_id_fkey", ["item_id"], "items", ["id"]),
        ("stock_supplier_code_fkey", ["supplier_code"], "suppliers", ["code"]),
    ]
    unique = inspector.get_unique_constraints("suppliers")
    assert [(u["name"], u["column_names"]) for u in unique] == [("suppliers_code_key", ["code"])]
    (index,) = inspector.get_indexes("suppliers")
    assert (index["name"], index["unique"], index["column_names"]) == (
        "suppliers_code_key",
        True,
        ["code"],
    )
    assert index.get("duplicates_constraint") == "suppliers_code_key"


def test_sqlalchemy_runs_bound_queries(sqlalchemy_engine: Engine) -> None:
    with sqlalchemy_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, name FROM items WHERE id BETWEEN :low AND :high ORDER BY id"),
            {"low": 4, "high": 5},
        ).all()
    assert [tuple(row) for row in rows] == [(4, "item 4"), (5, "item 5")]
