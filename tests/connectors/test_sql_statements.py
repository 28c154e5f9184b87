"""parse_statement and classify: one statement in, read kinds out, everything else refused."""

from __future__ import annotations

import re

import pytest

from connectors.errors import LimitExceeded, QueryRefused, SqlSyntaxError, StatementTooComplex
from connectors.sql.classify import StatementKind, classify
from connectors.sql.parse import parse_statement
from tests.connectors.connector_sql_fixtures import Block, block_id, load_blocks


@pytest.mark.parametrize("block", load_blocks("allowed.sql"), ids=block_id)
def test_allowed_statements_pass_with_their_kind(block: Block) -> None:
    statement = parse_statement(block.sql, block.get("dialect", "duckdb"))

    assert classify(statement) == StatementKind(block.meta["kind"])


@pytest.mark.parametrize("block", load_blocks("refused.sql"), ids=block_id)
def test_refused_statements_name_what_was_refused(block: Block) -> None:
    with pytest.raises(QueryRefused, match=re.escape(block.meta["kind"])) as refused:
        classify(parse_statement(block.sql, block.get("dialect", "duckdb")))

    assert refused.value.sqlstate == "42501"


def test_a_write_is_refused_with_a_sentence_naming_it() -> None:
    with pytest.raises(QueryRefused, match=r"only read statements .* are allowed; INSERT is not"):
        classify(parse_statement("INSERT INTO t VALUES (1)", "duckdb"))


def test_several_statements_are_refused() -> None:
    with pytest.raises(QueryRefused, match="several statements"):
        parse_statement("SELECT 1; DROP TABLE t", "duckdb")


def test_a_trailing_semicolon_is_one_statement() -> None:
    assert parse_statement("SELECT 1;", "duckdb").sql() == "SELECT 1"


@pytest.mark.parametrize("sql", ["", "   ", " ; ", "-- only a comment"])
def test_empty_text_is_a_syntax_error(sql: str) -> None:
    with pytest.raises(SqlSyntaxError, match="empty"):
        parse_statement(sql, "duckdb")


@pytest.mark.parametrize(
    ("sql", "token"),
    [
        ("SELEC 1", "1"),
        ("SELECT (1", "1"),
        ("SELECT 1\nFROM t WHERE", "WHERE"),
        ("SELECT a\n  FROM t\n WHERE a = = 2", "="),
    ],
)
def test_syntax_errors_point_at_the_token_in_the_users_text(sql: str, token: str) -> None:
    with pytest.raises(SqlSyntaxError) as error:
        parse_statement(sql, "duckdb")

    position = error.value.position
    assert position is not None
    assert sql[position - 1 :].startswith(token)
    assert sql.rfind(token) == position - 1


def test_the_dialect_decides_what_parses() -> None:
    statement = parse_statement("SELECT * FROM t VERSION AS OF 3", "databricks")

    assert classify(statement) is StatementKind.SELECT


def test_a_statement_longer_than_the_bound_is_refused_before_parsing() -> None:
    huge = "SELECT " + ", ".join(["1"] * 100_000)

    with pytest.raises(LimitExceeded, match="300,005 characters long; at most 262,144") as refused:
        parse_statement(huge, "duckdb")

    assert refused.value.sqlstate == "54000"


@pytest.mark.parametrize("depth", [100, 900, 5000])
def test_a_statement_nested_too_deeply_is_refused_as_too_complex(depth: int) -> None:
    nested = "SELECT " + "(" * depth + "1" + ")" * depth

    with pytest.raises(StatementTooComplex, match="nests too deeply") as refused:
        parse_statement(nested, "postgres")

    assert refused.value.sqlstate == "54001"
