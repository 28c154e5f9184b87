"""The PostgreSQL connector against the local server, in a schema of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import psycopg
import pyarrow as pa
import pytest
from sqlglot import exp

from connectors import open_connector
from connectors.base import ColumnInfo, SourceSettings, TableRef
from connectors.errors import (
    ConnectionFailed,
    EngineError,
    QueryCancelled,
    QueryRefused,
    QueryTimeout,
    SqlSyntaxError,
    UndefinedObject,
)
from connectors.postgres import PostgresConnector
from connectors.sql.parse import parse_statement
from tests.connectors.cancelling import run_cancelled
from tests.connectors.conftest import PG_DSN


def run(connector: PostgresConnector, sql: str) -> pa.Table:
    return connector.execute(parse_statement(sql, "postgres")).read_all()


def sleeping_in_postgres(connector: PostgresConnector) -> Callable[[], bool]:
    """True once the connector's own session is inside pg_sleep, as PostgreSQL reports it."""
    pid = run(connector, "SELECT pg_backend_pid() AS pid").column("pid")[0].as_py()

    def is_sleeping() -> bool:
        with psycopg.connect(PG_DSN) as observer:
            row = observer.execute(
                "SELECT wait_event FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
        return row is not None and row[0] == "PgSleep"

    return is_sleeping


def test_a_long_result_arrives_whole_and_in_order(pg: PostgresConnector, pg_schema: str) -> None:
    table = run(pg, f"SELECT n FROM {pg_schema}.numbers ORDER BY n")

    assert table.column("n").to_pylist() == list(range(1, 2501))


def test_an_empty_result_keeps_its_schema(pg: PostgresConnector, pg_schema: str) -> None:
    table = run(pg, f"SELECT id, name FROM {pg_schema}.events WHERE false")

    assert table.num_rows == 0
    assert table.schema == pa.schema([("id", pa.int64()), ("name", pa.string())])


def test_types_round_trip(pg: PostgresConnector, pg_schema: str) -> None:
    table = run(pg, f"SELECT * FROM {pg_schema}.events ORDER BY id")

    assert table.schema == pa.schema(
        [
            ("id", pa.int64()),
            ("name", pa.string()),
            ("amount", pa.decimal128(10, 2)),
            ("ratio", pa.float64()),
            ("happened", pa.timestamp("us")),
            ("happened_tz", pa.timestamp("us", tz="UTC")),
            ("day", pa.date32()),
            ("tags", pa.list_(pa.string())),
            ("is_open", pa.bool_()),
            ("payload", pa.string()),
            ("span", pa.month_day_nano_interval()),
            ("raw", pa.binary()),
            ("uid", pa.string()),
        ]
    )
    first, second = table.to_pylist()
    assert first == {
        "id": 1,
        "name": "alpha",
        "amount": Decimal("12.50"),
        "ratio": 0.5,
        "happened": dt.datetime(2024, 1, 1, 10),
        "happened_tz": dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC),
        "day": dt.date(2024, 1, 1),
        "tags": ["a", "b"],
        "is_open": True,
        "payload": '{"k": 1}',
        "span": pa.MonthDayNano([1, 2, 3_000_000_000]),
        "raw": b"\x01\x02",
        "uid": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    }
    assert set(second.values()) == {2, None}


@pytest.mark.parametrize(
    ("expression", "arrow_type", "value"),
    [
        ("1::int2", pa.int16(), 1),
        ("2::int4", pa.int32(), 2),
        ("1.5::float4", pa.float32(), 1.5),
        ("sum(x::int8)", pa.float64(), 6.0),
        ("avg(x)", pa.float64(), 2.0),
        ("'NaN'::numeric(5, 1)", pa.decimal128(5, 1), None),
        ("'x'::char(3)", pa.string(), "x  "),
        ("'x'::varchar(3)", pa.string(), "x"),
        ("time '10:11:12.5'", pa.time64("us"), dt.time(10, 11, 12, 500000)),
        (
            "interval '-1 year -3 days 00:00:01.5'",
            pa.month_day_nano_interval(),
            pa.MonthDayNano([-12, -3, 1_500_000_000]),
        ),
        ("array[1.5, 2]::numeric[]", pa.list_(pa.float64()), [1.5, 2.0]),
        ("array[1, 2]::int8[]", pa.list_(pa.int64()), [1, 2]),
        ("'10.0.0.1'::inet", pa.string(), "10.0.0.1"),
        ("'[1,3)'::int4range", pa.string(), "[1,3)"),
        ("'(1,2)'::point", pa.string(), "(1,2)"),
        ("'{\"a\": [1]}'::json", pa.string(), '{"a": [1]}'),
    ],
)
def test_each_type_maps_to_arrow(
    pg: PostgresConnector, expression: str, arrow_type: pa.DataType, value: object
) -> None:
    table = run(pg, f"SELECT {expression} AS v FROM (VALUES (1), (2), (3)) AS t(x) LIMIT 1")

    assert table.schema.field("v").type == arrow_type
    assert table.column("v").to_pylist() == [value]


def test_session_is_read_only_named_and_time_limited(
    make_pg: Callable[..., PostgresConnector],
) -> None:
    connector = make_pg(timeout_s=12.5)

    assert run(connector, "SHOW default_transaction_read_only").column(0).to_pylist() == ["on"]
    assert run(connector, "SHOW statement_timeout").column(0).to_pylist() == ["12500ms"]
    application = run(connector, "SELECT current_setting('application_name')")
    assert application.column(0).to_pylist() == ["dashwire"]


def test_writes_through_functions_hit_the_read_only_transaction(
    pg: PostgresConnector, pg_schema: str
) -> None:
    with pytest.raises(QueryRefused, match="read-only transaction") as error:
        run(pg, f"SELECT nextval('{pg_schema}.ids')")

    assert error.value.sqlstate == "25006"


def test_a_syntax_error_has_its_position(pg: PostgresConnector) -> None:
    statement = exp.Command(this="SELEC", expression=exp.Literal.string("1"))

    with pytest.raises(SqlSyntaxError, match='syntax error at or near "SELEC"') as error:
        pg.execute(statement)

    assert error.value.position == 1
    assert error.value.sqlstate == "42601"


def test_an_unknown_column_keeps_sqlstate_and_position(
    pg: PostgresConnector, pg_schema: str
) -> None:
    statement = parse_statement(f"SELECT id, nope FROM {pg_schema}.events", "postgres")

    with pytest.raises(EngineError, match='column "nope" does not exist') as error:
        pg.execute(statement)

    assert error.value.sqlstate == "42703"
    assert error.value.position == statement.sql("postgres").index("nope") + 1


def test_an_unknown_table_is_undefined(pg: PostgresConnector, pg_schema: str) -> None:
    missing = f'relation "{pg_schema}.nothing" does not exist'
    with pytest.raises(UndefinedObject, match=missing) as error:
        run(pg, f"SELECT * FROM {pg_schema}.nothing")

    assert error.value.sqlstate == "42P01"
    assert error.value.position == len("SELECT * FROM ") + 1


def test_the_connection_survives_an_error(pg: PostgresConnector) -> None:
    with pytest.raises(EngineError, match="division by zero") as error:
        run(pg, "SELECT 1 / 0")

    assert error.value.sqlstate == "22012"

    assert run(pg, "SELECT 1 AS one").column(0).to_pylist() == [1]


def test_cancel_interrupts_a_long_query(pg: PostgresConnector) -> None:
    statement = parse_statement("SELECT pg_sleep(100)", "postgres")
    is_sleeping = sleeping_in_postgres(pg)

    raised = run_cancelled(lambda: pg.execute(statement), pg.cancel, when=is_sleeping)

    assert isinstance(raised, QueryCancelled) and not isinstance(raised, QueryTimeout)
    assert str(raised) == "the query was cancelled"


def test_cancel_interrupts_while_streaming(pg: PostgresConnector) -> None:
    sql = (
        "SELECT g, pg_sleep(CASE WHEN g > 1500 THEN 10 ELSE 0 END) FROM generate_series(1, 3000) g"
    )
    is_sleeping = sleeping_in_postgres(pg)
    reader = pg.execute(parse_statement(sql, "postgres"))
    first = reader.read_next_batch()

    raised = run_cancelled(lambda: reader, pg.cancel, when=is_sleeping)

    assert first.column(0).to_pylist() == list(range(1, 1001))
    assert isinstance(raised, QueryCancelled)


def test_the_statement_timeout_stops_the_query(make_pg: Callable[..., PostgresConnector]) -> None:
    connector = make_pg(timeout_s=0.3)

    with pytest.raises(QueryTimeout, match=r"longer than 0\.3 s"):
        run(connector, "SELECT pg_sleep(100)")


def test_list_tables(pg: PostgresConnector, pg_schema: str) -> None:
    tables = {t.name: t for t in pg.list_tables() if t.schema == pg_schema}

    assert set(tables) == {"events", "numbers", "open_events"}
    assert tables["events"].columns[0] == ColumnInfo("id", "bigint", nullable=False)
    assert tables["events"].columns[2] == ColumnInfo("amount", "numeric(10,2)")
    assert tables["numbers"].row_count == 2500
    assert tables["open_events"].kind == "view"
    assert not any(t.schema in {"pg_catalog", "information_schema"} for t in pg.list_tables())


def test_table_versions_are_empty(pg: PostgresConnector, pg_schema: str) -> None:
    refs = [TableRef("events", pg_schema), TableRef("numbers")]

    assert pg.table_versions(refs) == {f"{pg_schema}.events": "", "public.numbers": ""}


def test_check_and_open_connector(pg_schema: str) -> None:
    connector = open_connector(
        SourceSettings(engine="postgres", dsn="host=127.0.0.1 port=5432 user=postgres dbname=test")
    )
    try:
        connector.check()
        assert isinstance(connector, PostgresConnector)
    finally:
        connector.close()


def test_an_unreachable_server_fails_to_connect() -> None:
    dsn = "host=127.0.0.1 port=1 user=x"
    connector = open_connector(SourceSettings(engine="postgres", dsn=dsn))
    with pytest.raises(ConnectionFailed, match="cannot connect"):
        connector.check()
    connector.close()
