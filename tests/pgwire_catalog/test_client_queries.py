"""Replay each client's real catalog queries (fixtures/<client>/<name>.sql) on the emulation.

A fixture's header carries `-- params: [...]` (values of $1…$n; `{{oid:schema.table}}` and
`{{typeoid:schema.table}}` stand for the OIDs of a user table and its row type) and
`-- expect: {...}` with any of:
  columns        exact result column names
  rows           exact rows (each dict lists the columns checked), in order
  rows_subset    rows that must appear, in this order
  contains       rows that must appear, anywhere
  absent         rows that must not appear
  types          column → pg_type metadata expected
  types_within   column → the values it may take
  oracle         true: same columns and rows as real PostgreSQL holding the same tables
  ignore         columns the oracle comparison skips (besides OID-valued ones)
  oracle_same_rows  columns whose pg_catalog row set must equal PostgreSQL's
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlglot import exp

from pgwire.catalog import CatalogSession
from pgwire.catalog.rewrite import parse
from pgwire.sql.parameters import bind
from tests.conftest import require_service
from tests.pgwire_catalog.conftest import ORACLE_DDL

psycopg = pytest.importorskip("psycopg")

FIXTURES = Path(__file__).parent / "fixtures"
ORACLE_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
OID_TYPES = {b"oid", b"regclass", b"regtype", b"regproc", b"regnamespace"}
TEMPLATE = re.compile(r"\{\{(oid|typeoid):([\w.]+)\}\}")
FIXTURE_SCHEMA = "dw_cap"


def load_fixture(path: Path) -> tuple[str, list[Any], dict[str, Any]]:
    header = {}
    lines = path.read_text().splitlines()
    for line in lines:
        match = re.match(r"-- (params|expect): (.*)$", line)
        if match:
            header[match[1]] = json.loads(match[2])
    return "\n".join(lines), header.get("params", []), header.get("expect", {})


def fixture_paths() -> Iterator[Any]:
    for path in sorted(FIXTURES.glob("*/*.sql")):
        yield pytest.param(path, id=f"{path.parent.name}/{path.stem}")


def bound(sql: str, params: list[Any]) -> exp.Expression:
    """`sql` parsed as the session parses it, with `$n` bound to `params` as literals."""
    return bind(parse(sql), [exp.convert(value) for value in params])


def resolve(value: Any, lookup: Any) -> Any:
    if isinstance(value, list):
        return [resolve(v, lookup) for v in value]
    if isinstance(value, str) and (match := TEMPLATE.fullmatch(value)):
        return lookup(match[1], match[2])
    return value


def resolve_sql(sql: str, lookup: Any) -> str:
    return TEMPLATE.sub(lambda m: str(lookup(m[1], m[2])), sql)


def session_lookup(session: CatalogSession) -> Any:
    casts = {"oid": "regclass", "typeoid": "regtype"}

    def lookup(kind: str, name: str) -> int:
        table = session.execute(f"SELECT '{name}'::{casts[kind]}::oid AS oid")
        return int(table.column(0)[0].as_py())

    return lookup


def matches(row: dict[str, Any], expected: dict[str, Any]) -> bool:
    return all(row.get(key) == value for key, value in expected.items())


def check_expectations(table: pa.Table, expect: dict[str, Any]) -> None:
    rows = table.to_pylist()
    if "columns" in expect:
        assert table.column_names == expect["columns"]
    if "rows" in expect:
        picked = [{k: r.get(k) for k in e} for r, e in zip(rows, expect["rows"], strict=False)]
        assert len(rows) == len(expect["rows"]), rows[:5]
        assert picked == expect["rows"]
    position = 0
    for wanted in expect.get("rows_subset", []):
        found = next((i for i in range(position, len(rows)) if matches(rows[i], wanted)), None)
        assert found is not None, (wanted, rows[:10])
        position = found + 1
    for wanted in expect.get("contains", []):
        assert any(matches(row, wanted) for row in rows), wanted
    for unwanted in expect.get("absent", []):
        assert not any(matches(row, unwanted) for row in rows), unwanted
    for column, pg_type in expect.get("types", {}).items():
        assert table.schema.field(column).metadata[b"pg_type"] == pg_type.encode()
    for column, allowed in expect.get("types_within", {}).items():
        assert set(table.column(column).to_pylist()) <= set(allowed)


@pytest.mark.parametrize("path", fixture_paths())
def test_client_query_answers(analyst_session: CatalogSession, path: Path) -> None:
    sql, params, expect = load_fixture(path)
    lookup = session_lookup(analyst_session)
    table = analyst_session.execute(bound(resolve_sql(sql, lookup), resolve(params, lookup)))
    for field in table.schema:
        assert field.metadata and b"pg_type" in field.metadata, field.name
    check_expectations(table, expect)


# ---------------------------------------------------------------- oracle: real PostgreSQL


@pytest.fixture(scope="module")
def oracle() -> Iterator[tuple[Any, str]]:
    try:
        connection = psycopg.connect(ORACLE_DSN, autocommit=True)
    except psycopg.OperationalError as error:
        require_service("PostgreSQL (the oracle)", str(error))
    schema = f"dw_cat_test_{uuid.uuid4().hex[:8]}"
    connection.execute(f"CREATE SCHEMA {schema}")
    connection.execute(ORACLE_DDL.format(schema=schema))
    yield connection, schema
    connection.execute(f"DROP SCHEMA {schema} CASCADE")
    connection.close()


@pytest.fixture(scope="module")
def oracle_session(oracle: tuple[Any, str]) -> CatalogSession:
    from tests.pgwire_catalog.conftest import ANALYST_TABLES

    _, schema = oracle
    tables = [t for t in ANALYST_TABLES if t.schema == FIXTURE_SCHEMA]
    renamed = [
        replace(
            t,
            schema=schema,
            constraints=tuple(
                replace(c, referenced_schema=c.referenced_schema and schema) for c in t.constraints
            ),
        )
        for t in tables
    ]
    return CatalogSession("test", "postgres", ["test"], renamed, {})


def oracle_fixture_paths() -> Iterator[Any]:
    for param in fixture_paths():
        _, _, expect = load_fixture(param.values[0])
        if expect.get("oracle") or expect.get("oracle_same_rows"):
            yield param


def run_on_postgres(
    connection: Any, sql: str, params: list[Any]
) -> tuple[list[str], list[dict[str, Any]]]:
    with psycopg.RawCursor(connection) as cursor:
        cursor.execute(sql, params or None)
        names = [d.name for d in cursor.description]
        return names, [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def comparable(rows: list[dict], skip: set[str], schema: str) -> list[dict]:
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(schema, FIXTURE_SCHEMA)
        return float(value) if type(value).__name__ == "Decimal" else value

    return [{k: clean(v) for k, v in row.items() if k not in skip} for row in rows]


@pytest.mark.parametrize("path", oracle_fixture_paths())
def test_client_query_matches_postgres(
    oracle: tuple[Any, str], oracle_session: CatalogSession, path: Path
) -> None:
    connection, schema = oracle
    sql, params, expect = load_fixture(path)
    sql = sql.replace(FIXTURE_SCHEMA, schema)
    params = [p.replace(FIXTURE_SCHEMA, schema) if isinstance(p, str) else p for p in params]

    def pg_lookup(kind: str, name: str) -> int:
        cast = {"oid": "regclass", "typeoid": "regtype"}[kind]
        return run_on_postgres(connection, f"SELECT '{name}'::{cast}::oid", [])[1][0]["oid"]

    names, pg_rows = run_on_postgres(
        connection, resolve_sql(sql, pg_lookup), resolve(params, pg_lookup)
    )
    lookup = session_lookup(oracle_session)
    ours = oracle_session.execute(bound(resolve_sql(sql, lookup), resolve(params, lookup)))
    if expect.get("oracle_same_rows"):
        keep = expect["oracle_same_rows"]
        ours_set = {
            tuple(r[k] for k in keep)
            for r in ours.to_pylist()
            if r.get("nspname", "pg_catalog") == "pg_catalog"
        }
        pg_set = {
            tuple(r[k] for k in keep)
            for r in pg_rows
            if r.get("nspname", "pg_catalog") == "pg_catalog"
        }
        assert ours_set == pg_set, (sorted(ours_set - pg_set)[:5], sorted(pg_set - ours_set)[:5])
        return
    assert ours.column_names == names
    skip = set(expect.get("ignore", [])) | {
        f.name for f in ours.schema if f.metadata.get(b"pg_type") in OID_TYPES
    }
    mine, theirs = comparable(ours.to_pylist(), skip, schema), comparable(pg_rows, skip, schema)
    if expect.get("sort"):
        mine, theirs = sorted(mine, key=repr), sorted(theirs, key=repr)
    assert mine == theirs
