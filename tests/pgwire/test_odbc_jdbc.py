"""The drivers BI tools load: psqlODBC through unixODBC/pyodbc (Qlik, Tableau-ODBC, Excel)
in both fetch modes, and pgjdbc (Tableau, DBeaver) through a small Java program using
DatabaseMetaData, prepared statements past the binary threshold and setFetchSize.

Needs the Debian packages odbc-postgresql, unixodbc and libpostgresql-jdbc-java plus a
JDK, and pyodbc from PyPI (see the Makefile)."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.pgwire.conftest import PASSWORD, RunningServer

JDBC_JAR = Path("/usr/share/java/postgresql.jar")
JAVA_SOURCE = Path(__file__).parent / "java" / "WireCheck.java"


@pytest.fixture(scope="module")
def pyodbc():  # type: ignore[no-untyped-def]
    try:
        import pyodbc as module
    except ImportError as error:
        require_service("pyodbc", str(error))
    if "PostgreSQL Unicode" not in module.drivers():
        require_service("psqlODBC", "the PostgreSQL Unicode ODBC driver is not registered")
    return module


@pytest.mark.parametrize("declare_fetch", [0, 1])
def test_psqlodbc_connects_browses_and_queries(
    wire: RunningServer, pyodbc, declare_fetch: int
) -> None:  # type: ignore[no-untyped-def]
    connection = pyodbc.connect(
        "DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;"
        f"PORT={wire.port};DATABASE=demo;UID=ann;PWD={PASSWORD};SSLmode=disable;"
        f"UseDeclareFetch={declare_fetch};Fetch=100",
        timeout=10,
    )
    try:
        cursor = connection.cursor()
        rows = cursor.execute(
            "SELECT id, name, price FROM items WHERE id < ? ORDER BY id", 3
        ).fetchall()
        assert [tuple(row) for row in rows] == [
            (1, "item 1", Decimal("1.25")),
            (2, "item 2", Decimal("2.50")),
        ]
        assert {"items", "big"} <= {table.table_name for table in cursor.tables(tableType="TABLE")}
        columns = [
            (column.column_name, column.type_name) for column in cursor.columns(table="items")
        ]
        assert columns[:3] == [("id", "int4"), ("name", "varchar"), ("price", "numeric")]
        assert len(cursor.execute("SELECT id FROM big WHERE id < 2500").fetchall()) == 2500
        with pytest.raises(pyodbc.Error, match=r"42P01.*no_such_table"):
            cursor.execute("SELECT * FROM no_such_table")
        assert cursor.execute("SELECT 7").fetchone()[0] == 7
    finally:
        connection.close()


@pytest.mark.parametrize("declare_fetch", [0, 1])
def test_psqlodbc_reports_keys(wire: RunningServer, pyodbc, declare_fetch: int) -> None:  # type: ignore[no-untyped-def]
    connection = pyodbc.connect(
        "DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;"
        f"PORT={wire.port};DATABASE=demo;UID=ann;PWD={PASSWORD};SSLmode=disable;"
        f"UseDeclareFetch={declare_fetch}",
        timeout=10,
    )
    try:
        cursor = connection.cursor()
        assert [tuple(row) for row in cursor.primaryKeys("stock")] == [
            ("demo", "public", "stock", "item_id", 1, "stock_pkey"),
            ("demo", "public", "stock", "supplier_code", 2, "stock_pkey"),
        ]
        foreign_keys = [
            (row.fkcolumn_name, row.pktable_name, row.pkcolumn_name, row.fk_name)
            for row in cursor.foreignKeys(foreignTable="stock")
        ]
        assert foreign_keys == [
            ("item_id", "items", "id", "stock_item_id_fkey"),
            ("supplier_code", "suppliers", "code", "stock_supplier_code_fkey"),
        ]
        indexes = [
            (row.index_name, row.column_name, row.non_unique)
            for row in cursor.statistics("suppliers", unique=True)
        ]
        assert indexes == [("suppliers_pkey", "id", 0), ("suppliers_code_key", "code", 0)]
    finally:
        connection.close()


def test_pgjdbc_metadata_prepared_and_fetch_size(wire: RunningServer, tmp_path: Path) -> None:
    if not JDBC_JAR.exists() or shutil.which("javac") is None:
        require_service("pgjdbc", "libpostgresql-jdbc-java or a JDK is missing")
    subprocess.run(["javac", "-d", str(tmp_path), str(JAVA_SOURCE)], check=True, timeout=120)
    url = f"jdbc:postgresql://127.0.0.1:{wire.port}/demo?sslmode=disable"
    result = subprocess.run(
        ["java", "-cp", f"{tmp_path}:{JDBC_JAR}", "WireCheck", url, "ann", PASSWORD],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "product PostgreSQL 16.4" in lines
    assert "catalog demo" in lines and "schema public" in lines
    assert "table public.items TABLE" in lines
    assert "column price 2 numeric" in lines and "column seen 93 timestamp" in lines
    assert [line for line in lines if line.startswith("pk ")] == [
        "pk items id 1 items_pkey",
        "pk stock item_id 1 stock_pkey",
        "pk stock supplier_code 2 stock_pkey",
    ]
    assert [line for line in lines if line.startswith(("imported ", "exported "))] == [
        "imported item_id items.id stock_item_id_fkey items_pkey",
        "imported supplier_code suppliers.code stock_supplier_code_fkey suppliers_code_key",
        "exported stock.item_id stock_item_id_fkey",
    ]
    assert [line for line in lines if line.startswith("index ")] == [
        "index suppliers_code_key code unique true",
        "index suppliers_pkey id unique true",
    ]
    assert "typeinfo true" in lines
    assert "row 7 item 7 8.75 2024-01-08 2024-01-01 17:00:00.0 2.3333333333333335" in lines
    assert "fetched 25000" in lines
    assert lines[-2:] == ["error 42P01", "after 42"]
