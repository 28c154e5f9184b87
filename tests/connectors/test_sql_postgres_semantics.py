"""PostgreSQL statements made to mean the same on DuckDB, from fixtures/postgres_semantics.sql
(input `-- =>` expected DuckDB SQL; `-- dialect:` the input's, PostgreSQL by default)."""

from __future__ import annotations

import pytest

from connectors.sql.parse import parse_statement
from connectors.sql.transpile import to_dialect
from tests.connectors.connector_sql_fixtures import Block, block_id, load_blocks


@pytest.mark.parametrize("block", load_blocks("postgres_semantics.sql"), ids=block_id)
def test_postgres_statements_keep_their_meaning_on_duckdb(block: Block) -> None:
    statement = parse_statement(block.sql, block.get("dialect", "postgres"))

    assert to_dialect(statement, "duckdb") == block.expected


def test_the_parsed_statement_is_not_changed() -> None:
    statement = parse_statement("SELECT a / 2 FROM t", "postgres")

    to_dialect(statement, "duckdb")

    assert statement.sql("postgres") == "SELECT a / 2 FROM t"
