"""Redash-style parameters: found, inferred, validated and bound as typed literals."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from sqlglot import exp

from connectors.errors import ParameterError, SqlSyntaxError
from connectors.sql.params import (
    ParameterSpec,
    ParameterType,
    bind_parameters,
    find_parameters,
    infer_spec,
)

TEXT = ParameterSpec("who", ParameterType.TEXT)
NUMBER = ParameterSpec("n", ParameterType.NUMBER)
DAY = ParameterSpec("day", ParameterType.DATE)
MOMENT = ParameterSpec("at", ParameterType.DATETIME)
SPAN = ParameterSpec("span", ParameterType.DATE_RANGE)
COLOR = ParameterSpec("color", ParameterType.ENUM, options=("red", "green"))
TAGS = ParameterSpec("tags", ParameterType.ENUM, options=("a", "b", "c"), is_multi=True)
SPECS = {spec.name: spec for spec in (TEXT, NUMBER, DAY, MOMENT, SPAN, COLOR, TAGS)}


def bind(sql: str, /, **values: object) -> str:
    return bind_parameters(sql, "duckdb", SPECS, values).sql("duckdb")


def test_find_parameters_in_order_without_repeats() -> None:
    sql = "SELECT {{ b }}, '{{a}}' FROM t WHERE d BETWEEN {{ r.start }} AND {{ r.end }} OR x={{b}}"

    assert find_parameters(sql) == ["b", "a", "r"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-31", ParameterSpec("p", ParameterType.DATE)),
        ("2024-01-31T10:00:00", ParameterSpec("p", ParameterType.DATETIME)),
        ("2024-01-31 10:00", ParameterSpec("p", ParameterType.DATETIME)),
        (3, ParameterSpec("p", ParameterType.NUMBER)),
        (2.5, ParameterSpec("p", ParameterType.NUMBER)),
        (
            {"start": "2024-01-01", "end": "2024-02-01"},
            ParameterSpec("p", ParameterType.DATE_RANGE),
        ),
        (["x", 1], ParameterSpec("p", ParameterType.ENUM, options=("x", "1"), is_multi=True)),
        ("hello", ParameterSpec("p", ParameterType.TEXT)),
        ("2024-13", ParameterSpec("p", ParameterType.TEXT)),
    ],
)
def test_infer_spec_from_an_ad_hoc_value(value: object, expected: ParameterSpec) -> None:
    assert infer_spec("p", value) == expected


@pytest.mark.parametrize("value", [None, True, {"start": "2024-01-01"}])
def test_infer_spec_refuses_what_it_cannot_type(value: object) -> None:
    with pytest.raises(ParameterError, match="parameter p: cannot tell the type of"):
        infer_spec("p", value)


@pytest.mark.parametrize(
    ("sql", "values", "expected"),
    [
        (
            "SELECT * FROM t WHERE name = {{ who }}",
            {"who": "ann"},
            "SELECT * FROM t WHERE name = 'ann'",
        ),
        (
            "SELECT * FROM t WHERE name = '{{ who }}'",
            {"who": "ann"},
            "SELECT * FROM t WHERE name = 'ann'",
        ),
        ("SELECT {{n}} + 1", {"n": 41}, "SELECT 41 + 1"),
        ("SELECT {{n}}", {"n": -2.5}, "SELECT -2.5"),
        ("SELECT {{n}}", {"n": "7"}, "SELECT 7"),
        ("SELECT {{ day }}", {"day": "2024-02-29"}, "SELECT CAST('2024-02-29' AS DATE)"),
        ("SELECT '{{ day }}'", {"day": dt.date(2024, 1, 2)}, "SELECT CAST('2024-01-02' AS DATE)"),
        (
            "SELECT {{ at }}",
            {"at": "2024-01-02T03:04:05"},
            "SELECT CAST('2024-01-02 03:04:05' AS TIMESTAMP)",
        ),
        (
            "SELECT {{ at }}",
            {"at": "2024-01-02T03:04:05+02:00"},
            "SELECT CAST('2024-01-02 01:04:05' AS TIMESTAMP)",
        ),
        (
            "SELECT * FROM t WHERE d BETWEEN {{ span.start }} AND {{ span.end }}",
            {"span": {"start": "2024-01-01", "end": "2024-01-31"}},
            "SELECT * FROM t WHERE d BETWEEN CAST('2024-01-01' AS DATE) "
            "AND CAST('2024-01-31' AS DATE)",
        ),
        (
            "SELECT * FROM t WHERE c = '{{ color }}'",
            {"color": "red"},
            "SELECT * FROM t WHERE c = 'red'",
        ),
        (
            "SELECT * FROM t WHERE tag IN ({{ tags }})",
            {"tags": ["a", "c"]},
            "SELECT * FROM t WHERE tag IN ('a', 'c')",
        ),
        (
            "SELECT * FROM t WHERE tag IN ('z', {{ tags }}) AND n = {{ n }} AND m = {{n}}",
            {"tags": ["b"], "n": 1},
            "SELECT * FROM t WHERE tag IN ('z', 'b') AND n = 1 AND m = 1",
        ),
    ],
)
def test_values_become_typed_literals(sql: str, values: dict[str, object], expected: str) -> None:
    assert bind(sql, **values) == expected


def test_a_default_stands_in_for_a_missing_value() -> None:
    specs = {"n": ParameterSpec("n", ParameterType.NUMBER, default=10)}

    assert bind_parameters("SELECT {{ n }}", "duckdb", specs, {}).sql("duckdb") == "SELECT 10"


@pytest.mark.parametrize(
    "attack",
    [
        "'; DROP TABLE x; --",
        "x' OR '1'='1",
        "\\'; SELECT 1; --",
        "{{ n }}",
        "*/ DROP TABLE x /*",
    ],
)
def test_injection_attempts_stay_one_string_literal(attack: str) -> None:
    for sql in (
        "SELECT * FROM t WHERE name = {{ who }}",
        "SELECT * FROM t WHERE name = '{{ who }}'",
    ):
        statement = bind_parameters(sql, "duckdb", SPECS, {"who": attack})

        literals = [node for node in statement.find_all(exp.Literal)]
        assert [literal.this for literal in literals] == [attack]
        assert isinstance(statement, exp.Select)


def test_a_bound_attack_runs_as_a_value_in_the_engine() -> None:
    attack = "'; DROP TABLE x; --"
    statement = bind_parameters("SELECT {{ who }} AS v", "duckdb", SPECS, {"who": attack})

    with duckdb.connect() as connection:
        assert connection.execute(statement.sql("duckdb")).fetchall() == [(attack,)]


@pytest.mark.parametrize(
    ("sql", "values", "message"),
    [
        ("SELECT {{ n }}", {"n": "1; DROP TABLE x"}, "must be a number"),
        ("SELECT {{ n }}", {"n": float("nan")}, "finite"),
        ("SELECT {{ n }}", {"n": float("inf")}, "finite"),
        ("SELECT {{ n }}", {"n": True}, "must be a number"),
        ("SELECT {{ day }}", {"day": "2024-01-01' OR 1=1 --"}, "must be a date"),
        ("SELECT {{ day }}", {"day": "2024-02-30"}, "day"),
        ("SELECT {{ at }}", {"at": "yesterday"}, "date and time"),
        ("SELECT {{ who }}", {"who": 3}, "must be text"),
        ("SELECT {{ color }}", {"color": "blue"}, "not one of its options"),
        ("SELECT {{ color }}", {"color": ["red"]}, "takes one value"),
        ("SELECT * FROM t WHERE x IN ({{ tags }})", {"tags": ["a", "zz"]}, "not one of"),
        ("SELECT * FROM t WHERE x IN ({{ tags }})", {"tags": []}, "at least one"),
        ("SELECT {{ tags }}", {"tags": ["a", "b"]}, "IN"),
        ("SELECT {{ span }}", {"span": {"start": "2024-01-01", "end": "2024-01-02"}}, "start"),
        ("SELECT {{ span.start }}", {"span": "2024-01-01"}, "range"),
        (
            "SELECT {{ span.start }}",
            {"span": {"start": "2024-02-01", "end": "2024-01-01"}},
            "span must start no later than it ends",
        ),
        ("SELECT {{ n.start }}", {"n": 1}, "no date range"),
        ("SELECT {{ who }}", {}, "who needs a value"),
        ("SELECT {{ nobody }}", {}, "nobody is not defined"),
        ("SELECT * FROM {{ who }}", {"who": "t"}, "whole value"),
        ("SELECT '%{{ who }}%'", {"who": "t"}, "whole value"),
    ],
)
def test_bad_values_are_refused_naming_the_parameter(
    sql: str, values: dict[str, object], message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        bind(sql, **values)


def test_syntax_error_positions_refer_to_the_text_with_markers() -> None:
    sql = "SELECT {{ who }}, {{ n }} FROM t WHERE = 1"

    with pytest.raises(SqlSyntaxError) as error:
        bind(sql, who="a", n=1)

    # sqlglot points at the token after the dangling `=`; both lie past the markers
    assert error.value.position == sql.rindex("1") + 1


def test_binding_works_in_other_dialects() -> None:
    sql = "SELECT * FROM events VERSION AS OF 1 WHERE day >= {{ day }}"

    statement = bind_parameters(sql, "databricks", SPECS, {"day": "2024-01-01"})

    assert statement.sql("databricks") == (
        "SELECT * FROM events VERSION AS OF 1 WHERE day >= CAST('2024-01-01' AS DATE)"
    )


def test_a_list_of_ten_thousand_values_binds_and_runs() -> None:
    chosen = [str(number) for number in range(10_000)]
    specs = {"ids": infer_spec("ids", chosen)}
    statement = bind_parameters(
        "SELECT count(*) FROM range(100000) t(i) WHERE CAST(i AS VARCHAR) IN ({{ ids }})",
        "duckdb",
        specs,
        {"ids": chosen},
    )

    with duckdb.connect() as connection:
        assert connection.execute(statement.sql("duckdb")).fetchall() == [(10_000,)]


def test_a_list_of_more_values_is_refused_naming_the_bound() -> None:
    chosen = [str(number) for number in range(10_001)]
    specs = {"ids": infer_spec("ids", chosen)}

    with pytest.raises(ParameterError, match="parameter ids takes at most 10,000 values"):
        bind_parameters("SELECT 1 WHERE 1 IN ({{ ids }})", "duckdb", specs, {"ids": chosen})
