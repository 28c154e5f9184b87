"""Which statements have a result fixed by their text."""

from __future__ import annotations

import pytest

from connectors.sql.constant import is_constant
from connectors.sql.parse import parse_statement


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "SELECT 'ok' AS ping",
        "SELECT 2 * 21, NULL, TRUE",
        "SELECT CAST(1 AS BIGINT) LIMIT 5",
    ],
)
def test_literal_selects_are_constant(sql: str) -> None:
    assert is_constant(parse_statement(sql, "postgres"))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT now()",
        "SELECT random()",
        "SELECT current_date",
        "SELECT gen_random_uuid()",
        "SELECT 1 FROM sales",
        "SELECT (SELECT max(id) FROM sales)",
        "SELECT version()",
        "VALUES (1)",
    ],
)
def test_anything_reading_data_or_calling_a_function_is_not(sql: str) -> None:
    assert not is_constant(parse_statement(sql, "postgres"))
