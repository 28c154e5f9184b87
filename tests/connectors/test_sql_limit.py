"""inject_limit, from fixtures/limit.sql (input `-- =>` expected)."""

from __future__ import annotations

import pytest
import sqlglot

from connectors.sql.limit import inject_limit
from connectors.sql.parse import parse_statement
from tests.connectors.connector_sql_fixtures import Block, block_id, load_blocks


@pytest.mark.parametrize("block", load_blocks("limit.sql"), ids=block_id)
def test_limit_injection(block: Block) -> None:
    dialect = block.get("dialect", "duckdb")
    statement = parse_statement(block.sql, dialect)

    capped = inject_limit(statement, int(block.get("max_rows", "100")))

    assert capped.sql(dialect) == sqlglot.transpile(block.expected, read=dialect, write=dialect)[0]


def test_the_input_is_not_mutated() -> None:
    statement = parse_statement("SELECT a FROM t LIMIT 500", "duckdb")

    inject_limit(statement, 10)

    assert statement.sql("duckdb") == "SELECT a FROM t LIMIT 500"
