"""The Delta connector on tables written with deltalake (three versions of `events`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake
from sqlglot import exp

from connectors import open_connector
from connectors.base import ColumnInfo, SourceSettings
from connectors.delta import DeltaConnector
from connectors.errors import (
    ConnectionFailed,
    EngineError,
    QueryCancelled,
    QueryRefused,
    QueryTimeout,
    UndefinedObject,
)
from connectors.sql.parse import parse_statement
from connectors.sql.tables import referenced_tables
from tests.connectors.cancelling import after, run_cancelled

SLOW_SQL = (
    "SELECT count(*) FROM sales.orders AS a, sales.orders AS b, sales.orders AS c "
    "WHERE a.order_id <> c.order_id"
)


def run(connector: DeltaConnector, sql: str) -> pa.Table:
    return connector.execute(parse_statement(sql, "databricks")).read_all()


def ids(connector: DeltaConnector, sql: str) -> list[object]:
    return sorted(run(connector, sql).column("id").to_pylist())


def test_tables_in_the_folder_and_its_schemas(delta: DeltaConnector) -> None:
    tables = {(t.schema, t.name): t for t in delta.list_tables()}

    assert set(tables) == {("default", "events"), ("sales", "orders")}
    assert tables[("default", "events")].columns == (
        ColumnInfo("id", "long"),
        ColumnInfo("name", "string"),
        ColumnInfo("day", "date"),
    )


def test_the_latest_version_is_read(delta: DeltaConnector) -> None:
    assert ids(delta, "SELECT id FROM events") == [7, 8, 9]
    assert ids(delta, "SELECT id FROM default.events WHERE name <> 'x'") == [8, 9]


def test_a_long_result_arrives_whole_and_in_order(delta: DeltaConnector) -> None:
    table = run(delta, "SELECT order_id FROM sales.orders ORDER BY order_id")

    assert table.column("order_id").to_pylist() == list(range(2500))


def test_types_round_trip(delta: DeltaConnector) -> None:
    table = run(delta, "SELECT * FROM events WHERE id = 7")

    assert table.schema == pa.schema(
        [("id", pa.int64()), ("name", pa.string()), ("day", pa.date32())]
    )
    assert table.to_pylist() == [{"id": 7, "name": "x", "day": dt.date(2024, 1, 7)}]


@pytest.mark.parametrize(
    ("version", "expected"),
    [(0, [1, 2]), (1, [1, 2, 3]), (2, [7, 8, 9])],
)
def test_time_travel_by_version(delta: DeltaConnector, version: int, expected: list[int]) -> None:
    assert ids(delta, f"SELECT id FROM events VERSION AS OF {version}") == expected


def test_time_travel_by_timestamp(delta: DeltaConnector, delta_root: Path) -> None:
    commits = {
        c["version"]: c["timestamp"] for c in DeltaTable(str(delta_root / "events")).history()
    }
    between_ms = (commits[1] + commits[2]) // 2
    moment = dt.datetime.fromtimestamp(between_ms / 1000, dt.UTC).replace(tzinfo=None)

    sql = f"SELECT id FROM events TIMESTAMP AS OF '{moment.isoformat(sep=' ')}'"

    assert ids(delta, sql) == [1, 2, 3]


def test_one_statement_reads_two_versions(delta: DeltaConnector) -> None:
    sql = (
        "SELECT e.id FROM events AS e JOIN events VERSION AS OF 0 AS old ON e.id = old.id + 6 "
        "UNION ALL SELECT id FROM events VERSION AS OF 1 WHERE events.id = 3"
    )

    assert ids(delta, sql) == [3, 7, 8]


def test_a_cte_named_like_a_table_is_the_cte(delta: DeltaConnector) -> None:
    assert ids(delta, "WITH events AS (SELECT 42 AS id) SELECT id FROM events") == [42]


def test_describe_history_newest_first(delta: DeltaConnector) -> None:
    history = run(delta, "DESCRIBE HISTORY events")

    assert history.column("version").to_pylist() == [2, 1, 0]
    assert history.schema.field("timestamp").type == pa.timestamp("ms", tz="UTC")
    assert history.column("operation").to_pylist() == ["WRITE", "WRITE", "WRITE"]
    assert history.column("operationParameters").to_pylist()[0] == '{"mode": "Overwrite"}'


def test_describe_a_table(delta: DeltaConnector) -> None:
    assert run(delta, "DESCRIBE sales.orders").column(0).to_pylist() == ["order_id"]


def test_an_unknown_table_is_undefined_at_its_position(delta: DeltaConnector) -> None:
    with pytest.raises(UndefinedObject, match=r"default\.nothing does not exist") as error:
        run(delta, "SELECT * FROM nothing")

    assert error.value.position == len("SELECT * FROM ") + 1


@pytest.mark.parametrize(
    ("sql", "name"),
    [("DESCRIBE HISTORY nothing", "nothing"), ("SELECT * FROM not_a_table", "not_a_table")],
)
def test_folders_that_are_no_tables_are_undefined(
    delta: DeltaConnector, sql: str, name: str
) -> None:
    with pytest.raises(UndefinedObject, match=rf"table default\.{name} does not exist"):
        run(delta, sql)


@pytest.mark.parametrize("version", ["9", "9223372036854775807", "99999999999999999999"])
def test_a_version_the_table_never_had_is_undefined(delta: DeltaConnector, version: str) -> None:
    with pytest.raises(UndefinedObject, match=f"events has no version {version}; its latest is 2"):
        run(delta, f"SELECT count(*) FROM events VERSION AS OF {version}")


def test_an_unknown_column_points_into_the_users_statement(delta: DeltaConnector) -> None:
    statement = parse_statement("SELECT id, nope FROM events VERSION AS OF 1", "databricks")

    with pytest.raises(EngineError, match='column "nope" not found') as error:
        delta.execute(statement)

    assert error.value.sqlstate == "42703"
    assert error.value.position == statement.sql("databricks").index("nope") + 1


def test_file_functions_are_refused_by_the_engine(delta: DeltaConnector, delta_root: Path) -> None:
    # parsed but not classified: the engine itself must refuse
    statement = parse_statement(f"SELECT * FROM read_csv('{delta_root}/secret.csv')", "duckdb")

    with pytest.raises(QueryRefused, match="disabled by configuration"):
        delta.execute(statement).read_all()


def test_a_file_named_as_a_table_is_no_table(delta: DeltaConnector, delta_root: Path) -> None:
    statement = parse_statement(f"SELECT * FROM '{delta_root}/secret.csv'", "duckdb")

    with pytest.raises(UndefinedObject, match=r"secret\.csv does not exist"):
        delta.execute(statement).read_all()


def test_table_versions_follow_commits_and_pins(delta: DeltaConnector, delta_root: Path) -> None:
    statement = parse_statement(
        "SELECT * FROM events JOIN events VERSION AS OF 1 ON true JOIN sales.orders ON true",
        "databricks",
    )
    refs = referenced_tables(statement)

    before = delta.table_versions(refs)
    write_deltalake(
        str(delta_root / "events"),
        pa.table(
            {
                "id": pa.array([10], pa.int64()),
                "name": ["w"],
                "day": pa.array([dt.date(2024, 2, 1)]),
            }
        ),
        mode="append",
    )
    after = delta.table_versions(refs)

    assert before == {
        "default.events": "2",
        "default.events@version=1": "1",
        "sales.orders": "0",
    }
    assert after["default.events"] == "3"
    assert after["default.events@version=1"] == "1"
    assert ids(delta, "SELECT id FROM events") == [7, 8, 9, 10]


def test_cancel_interrupts_a_long_query(delta: DeltaConnector) -> None:
    statement = parse_statement(SLOW_SQL, "databricks")

    raised = run_cancelled(lambda: delta.execute(statement), delta.cancel, when=after(0.3))

    assert isinstance(raised, QueryCancelled) and not isinstance(raised, QueryTimeout)


def test_a_timeout_stops_the_query(make_delta: Callable[..., DeltaConnector]) -> None:
    connector = make_delta(timeout_s=0.3)
    with pytest.raises(QueryTimeout, match=r"the query ran longer than 0\.3 s"):
        run(connector, SLOW_SQL)


def test_check_and_open_connector(delta_root: Path) -> None:
    connector = open_connector(SourceSettings(engine="delta", path=str(delta_root)))
    try:
        connector.check()
        assert connector.dialect == "databricks"
    finally:
        connector.close()


def test_a_missing_folder_fails_to_connect(tmp_path: Path) -> None:
    with pytest.raises(ConnectionFailed, match="none is not a folder"):
        open_connector(SourceSettings(engine="delta", path=str(tmp_path / "none")))


def test_statements_are_built_not_pasted(delta: DeltaConnector) -> None:
    statement = (
        exp.select("id").from_("events").where(exp.column("name").eq(exp.Literal.string("x")))
    )

    assert delta.execute(statement).read_all().column("id").to_pylist() == [7]
