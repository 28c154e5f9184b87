"""The DuckDB connector against a real database file."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from sqlglot import exp

from connectors import open_connector
from connectors.base import ColumnInfo, SourceSettings, TableRef
from connectors.duck import DuckDBConnector
from connectors.errors import (
    ConnectionFailed,
    ConnectorError,
    EngineError,
    QueryCancelled,
    QueryRefused,
    QueryTimeout,
    SqlSyntaxError,
    UndefinedObject,
)
from connectors.sql.parse import parse_statement
from tests.connectors.cancelling import after, run_cancelled

SLOW_SQL = "SELECT count(*) FROM range(100000) AS a, range(100000) AS b WHERE a.range <> b.range"


def run(connector: DuckDBConnector, sql: str) -> pa.Table:
    return connector.execute(parse_statement(sql, "duckdb")).read_all()


def raw(sql: str) -> exp.Expression:
    """A statement sqlglot would refuse or not parse, sent as is (defence in depth)."""
    keyword, _, rest = sql.partition(" ")
    return exp.Command(this=keyword, expression=exp.Literal.string(rest))


def test_a_long_result_arrives_whole_and_in_order(duck: DuckDBConnector) -> None:
    table = run(duck, "SELECT n FROM numbers ORDER BY n")

    assert table.column("n").to_pylist() == list(range(25000))


def test_types_round_trip(duck: DuckDBConnector) -> None:
    table = run(duck, "SELECT * FROM events ORDER BY id")

    assert table.schema == pa.schema(
        [
            ("id", pa.int64()),
            ("name", pa.string()),
            ("amount", pa.decimal128(10, 2)),
            ("ratio", pa.float64()),
            ("happened", pa.timestamp("us")),
            ("day", pa.date32()),
            ("tags", pa.list_(pa.string())),
            ("is_open", pa.bool_()),
        ]
    )
    assert table.to_pylist()[0] == {
        "id": 1,
        "name": "alpha",
        "amount": Decimal("12.50"),
        "ratio": 0.5,
        "happened": dt.datetime(2024, 1, 1, 10),
        "day": dt.date(2024, 1, 1),
        "tags": ["a", "b"],
        "is_open": True,
    }
    assert table.to_pylist()[2]["name"] is None


def test_show_describe_explain_and_values_run(duck: DuckDBConnector) -> None:
    assert "events" in run(duck, "SHOW TABLES").column(0).to_pylist()
    assert run(duck, "DESCRIBE events").column(0).to_pylist()[:2] == ["id", "name"]
    assert "events" in str(run(duck, "EXPLAIN SELECT * FROM events").to_pylist())
    assert run(duck, "VALUES (1, 'a'), (2, 'b')").num_rows == 2


def test_an_engine_syntax_error_has_its_position(duck: DuckDBConnector) -> None:
    with pytest.raises(SqlSyntaxError, match='syntax error at or near "WHERE"') as error:
        duck.execute(raw("SELECT 1 FROM events WHERE WHERE"))

    assert error.value.position == len("SELECT 1 FROM events WHERE ") + 1


def test_selec_is_a_syntax_error_at_its_start(duck: DuckDBConnector) -> None:
    with pytest.raises(SqlSyntaxError, match='syntax error at or near "SELEC"') as error:
        duck.execute(raw("SELEC 1"))

    assert error.value.position == 1
    assert error.value.sqlstate == "42601"


def test_an_unknown_column_is_42703_at_its_position(duck: DuckDBConnector) -> None:
    statement = parse_statement("SELECT id,\n  nope FROM events", "duckdb")

    with pytest.raises(EngineError, match='column "nope" not found') as error:
        duck.execute(statement)

    # positions refer to the statement as generated; callers map them back
    assert error.value.sqlstate == "42703"
    assert error.value.position == statement.sql("duckdb").index("nope") + 1


def test_positions_count_characters_not_bytes(duck: DuckDBConnector) -> None:
    sql = "SELECT 'héhé', nope FROM events"

    with pytest.raises(EngineError, match='column "nope" not found') as error:
        run(duck, sql)

    assert error.value.position == sql.index("nope") + 1


def test_an_unknown_table_is_undefined(duck: DuckDBConnector) -> None:
    with pytest.raises(UndefinedObject, match="nothing does not exist") as error:
        run(duck, "SELECT * FROM sales.nothing")

    assert error.value.position == len("SELECT * FROM ") + 1
    assert error.value.sqlstate == "42P01"


def test_runtime_errors_are_engine_errors(duck: DuckDBConnector) -> None:
    with pytest.raises(EngineError, match="Could not convert string 'alpha'") as error:
        run(duck, "SELECT CAST(name AS INTEGER) FROM events")

    assert error.value.sqlstate == "22P02"  # PostgreSQL's invalid_text_representation


@pytest.mark.parametrize(
    ("sql", "sqlstate", "message"),
    [
        ("SELECT id // 0 FROM events", "22012", "Division by zero"),
        ("SELECT id % 0 FROM events", "22012", "Division by zero"),
        ("SELECT CAST(5000000000 AS INTEGER)", "22003", "out of range"),
        ("SELECT CAST(123.45 AS DECIMAL(3, 1))", "22003", "out of range"),
        ("SELECT 2147483647::INTEGER + 1::INTEGER", "22003", "Overflow in addition"),
        ("SELECT no_such_function(id) FROM events", "42883", "no_such_function does not exist"),
    ],
)
def test_errors_carry_postgres_sqlstates(
    duck: DuckDBConnector, sql: str, sqlstate: str, message: str
) -> None:
    with pytest.raises(ConnectorError, match=message) as error:
        run(duck, sql)

    assert error.value.sqlstate == sqlstate


def test_cancel_interrupts_a_long_query(duck: DuckDBConnector) -> None:
    statement = parse_statement(SLOW_SQL, "duckdb")

    raised = run_cancelled(lambda: duck.execute(statement), duck.cancel, when=after(0.3))

    assert isinstance(raised, QueryCancelled) and not isinstance(raised, QueryTimeout)


def test_cancel_interrupts_while_streaming(duck: DuckDBConnector) -> None:
    reader = duck.execute(parse_statement("SELECT * FROM range(1000000000)", "duckdb"))
    reader.read_next_batch()

    duck.cancel()

    with pytest.raises(QueryCancelled, match="Interrupted"):
        reader.read_all()


def test_a_timeout_stops_the_query(make_duck: Callable[..., DuckDBConnector]) -> None:
    connector = make_duck(timeout_s=0.3)

    with pytest.raises(QueryTimeout, match=r"longer than 0\.3 s"):
        run(connector, SLOW_SQL)


def test_the_timeout_does_not_outlive_a_finished_query(
    make_duck: Callable[..., DuckDBConnector],
) -> None:
    connector = make_duck(timeout_s=0.2)
    run(connector, "SELECT 1")
    time.sleep(0.3)

    assert run(connector, "SELECT 2").column(0).to_pylist() == [2]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('{folder}/secret.csv')",
        "SELECT * FROM '{folder}/secret.csv'",
        "SELECT * FROM glob('{folder}/*')",
        "ATTACH '{folder}/other.duckdb' AS other",
        "COPY events TO '{folder}/out.csv'",
        "EXPORT DATABASE '{folder}/dump'",
        "INSTALL httpfs",
        "LOAD httpfs",
    ],
)
def test_files_extensions_and_attach_are_refused_by_the_engine(
    duck: DuckDBConnector, duckdb_path: Path, sql: str
) -> None:
    statement = raw(sql.format(folder=duckdb_path.parent))

    with pytest.raises(QueryRefused, match=r"disabled (by|through) configuration"):
        duck.execute(statement).read_all()


@pytest.mark.parametrize(
    "sql",
    [
        "SET enable_external_access = true",
        "SET threads = 8",
        "RESET memory_limit",
        "PRAGMA threads = 8",
        "SET lock_configuration = false",
    ],
)
def test_settings_are_locked(duck: DuckDBConnector, sql: str) -> None:
    with pytest.raises(EngineError, match="configuration has been locked"):
        duck.execute(raw(sql)).read_all()


def test_the_file_is_read_only(duck: DuckDBConnector) -> None:
    with pytest.raises(EngineError, match="read-only"):
        duck.execute(raw("CREATE TABLE x (a INT)")).read_all()


def test_list_tables(duck: DuckDBConnector) -> None:
    tables = {(t.schema, t.name): t for t in duck.list_tables()}

    assert set(tables) == {
        ("main", "events"),
        ("main", "numbers"),
        ("main", "open_events"),
        ("sales", "orders"),
    }
    events = tables[("main", "events")]
    assert events.columns[0] == ColumnInfo("id", "BIGINT", nullable=False)
    assert events.columns[6] == ColumnInfo("tags", "VARCHAR[]")
    assert events.row_count == 3 and events.kind == "table"
    assert tables[("main", "open_events")].kind == "view"
    assert tables[("main", "open_events")].row_count is None


def test_table_versions_follow_the_file(duck: DuckDBConnector, duckdb_path: Path) -> None:
    refs = [TableRef("events"), TableRef("orders", "sales")]
    before = duck.table_versions(refs)
    duck.close()
    time.sleep(0.01)
    with duckdb.connect(str(duckdb_path)) as writer:
        writer.execute("INSERT INTO events (id) VALUES (4)")

    assert set(before) == {"main.events", "sales.orders"}
    reopened = DuckDBConnector(SourceSettings(engine="duckdb", path=str(duckdb_path)))
    try:
        assert reopened.table_versions(refs)["main.events"] != before["main.events"]
    finally:
        reopened.close()


def test_several_readers_share_the_file(make_duck: Callable[..., DuckDBConnector]) -> None:
    first, second = make_duck(), make_duck()

    assert run(first, "SELECT count(*) FROM events").column(0).to_pylist() == [3]
    assert run(second, "SELECT count(*) FROM events").column(0).to_pylist() == [3]


def test_a_new_statement_may_start_before_the_last_was_drained(duck: DuckDBConnector) -> None:
    duck.execute(parse_statement("SELECT n FROM numbers", "duckdb")).read_next_batch()

    assert run(duck, "SELECT 42").column(0).to_pylist() == [42]


def test_check_and_open_connector(duckdb_path: Path) -> None:
    connector = open_connector(SourceSettings(engine="duckdb", path=str(duckdb_path)))
    try:
        connector.check()
        assert isinstance(connector, DuckDBConnector)
    finally:
        connector.close()


def test_a_missing_file_fails_to_connect(tmp_path: Path) -> None:
    connector = open_connector(SourceSettings(engine="duckdb", path=str(tmp_path / "none.duckdb")))
    with pytest.raises(ConnectionFailed, match=r"cannot open .*none\.duckdb"):
        connector.check()
    with pytest.raises(ConnectionFailed, match=r"cannot open .*none\.duckdb"):
        connector.table_versions([])
    connector.close()


def test_an_unknown_engine_fails_to_connect() -> None:
    with pytest.raises(ConnectionFailed, match="unknown engine 'oracle'"):
        open_connector(SourceSettings(engine="oracle"))
