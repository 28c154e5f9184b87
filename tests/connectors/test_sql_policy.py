"""Row filters and column masks (connectors.sql.policy), from fixtures/policy*.sql.

`policy.sql` holds input `-- =>` expected rewrites ({sales} and {customers} stand for the
analyst's filtered, masked subqueries); each DuckDB block also runs on a real database and
must return exactly what the same statement returns on a copy of the database that holds
only what the analyst may see. `policy_refused.sql` holds statements the pass refuses,
`policy_hostile.sql` attempts to read a filtered row or an unmasked value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from connectors.errors import QueryRefused
from connectors.sql.classify import classify
from connectors.sql.parse import parse_statement
from connectors.sql.policy import (
    Namespace,
    PolicyContext,
    PolicyRewrite,
    TableKey,
    TablePolicy,
    apply_policies,
)
from tests.connectors.connector_sql_fixtures import Block, block_id, load_blocks

SALES = TableKey("main", "sales")
CUSTOMERS = TableKey("main", "customers")

ANALYST = PolicyContext(user="ana")
PII_READER = PolicyContext(user="pia", groups=frozenset({"pii"}))
ADMIN = PolicyContext(user="ada", groups=frozenset({"admins", "pii"}))
PERSONAS = {"ana": ANALYST, "pia": PII_READER, "ada": ADMIN}

SALES_FILTER = "region = 'EMEA' OR is_member('admins')"
SALES_EMAIL_MASK = (
    "CASE WHEN is_member('pii') THEN email ELSE regexp_replace(email, '^[^@]+', '***') END"
)
CUSTOMERS_FILTER = "owner = current_user() OR is_member('admins')"
CUSTOMERS_EMAIL_MASK = "CASE WHEN is_member('pii') THEN email ELSE 'hidden' END"

COLUMNS = {
    SALES: ["id", "region", "email", "amount", "customer_id"],
    CUSTOMERS: ["id", "name", "email", "owner"],
}
SCHEMA_SQL = """
CREATE TABLE sales (
    id INTEGER, region VARCHAR, email VARCHAR, amount DECIMAL(10, 2), customer_id INTEGER
);
CREATE TABLE customers (id INTEGER, name VARCHAR, email VARCHAR, owner VARCHAR);
CREATE TABLE regions (id INTEGER, code VARCHAR, name VARCHAR);
"""
DATA_SQL = """
INSERT INTO sales VALUES
    (1, 'EMEA', 'zoë@example.eu', 120.00, 10),
    (2, 'EMEA', 'jürgen.müller@example.de', 80.50, 11),
    (3, 'EMEA', NULL, NULL, 12),
    (4, 'US', 'hank@example.com', 999.99, 13),
    (5, 'APAC', 'kenji@example.jp', 555.55, 10),
    (6, NULL, 'nobody@example.org', 777.77, NULL),
    (7, 'emea', 'lower@example.eu', 1.00, 14),
    (8, 'EMEA', 'ünïcødé@example.eu', 42.00, 13);
INSERT INTO customers VALUES
    (10, 'Zoë GmbH', 'billing@zoe.eu', 'ana'),
    (11, 'Jürgen AG', 'ap@juergen.de', 'ana'),
    (12, 'Null Ltd', NULL, 'ana'),
    (13, 'Hidden Corp', 'cfo@hidden.com', 'bob'),
    (14, 'Nobody Inc', 'x@nobody.org', NULL);
INSERT INTO regions VALUES (1, 'EMEA', 'Europe'), (2, 'US', 'United States'),
    (3, 'APAC', 'Asia Pacific');
"""
#: what the analyst must never see, in any cell, in any form (lower case)
ANALYST_SECRETS = (
    "zoë@",
    "jürgen.müller",
    "hank",
    "kenji",
    "nobody@",
    "lower@",
    "ünïcødé@",
    "billing@",
    "ap@juergen",
    "cfo@",
    "x@nobody",
    "hidden corp",
    "nobody inc",
    "999.99",
    "555.55",
    "777.77",
)
#: what `{sales}` and `{customers}` stand for in policy.sql
PLACEHOLDERS = {
    "{sales}": '(SELECT "id", "region", REGEXP_REPLACE(email, \'^[^@]+\', \'***\') AS "email", '
    '"amount", "customer_id" FROM "main"."sales" WHERE region = \'EMEA\')',
    "{customers}": '(SELECT "id", "name", \'hidden\' AS "email", "owner" '
    'FROM "main"."customers" WHERE owner = \'ana\')',
}


def policies(dialect: str = "duckdb", schema: str = "main") -> dict[TableKey, TablePolicy]:
    """The demo policies, on tables `sales` and `customers` of `schema`."""
    return {
        TableKey(schema, "sales"): TablePolicy.from_sql(
            row_filter=SALES_FILTER, masks={"email": SALES_EMAIL_MASK}, dialect=dialect
        ),
        TableKey(schema, "customers"): TablePolicy.from_sql(
            row_filter=CUSTOMERS_FILTER, masks={"email": CUSTOMERS_EMAIL_MASK}, dialect=dialect
        ),
    }


def columns_in(schema: str) -> dict[TableKey, list[str]]:
    return {TableKey(schema, key.name): names for key, names in COLUMNS.items()}


def namespace(block: Block | None = None) -> Namespace:
    dialect = block.get("dialect", "duckdb") if block else "duckdb"
    default_schema = block.get("default_schema", "main") if block else "main"
    return Namespace(
        dialect=dialect, default_schema=default_schema, catalogs=frozenset({"demo", "lake"})
    )


def rewrite(
    sql: str,
    context: PolicyContext = ANALYST,
    *,
    names: Namespace | None = None,
    rules: Mapping[TableKey, TablePolicy] | None = None,
    columns: Mapping[TableKey, Sequence[str]] | None = None,
) -> PolicyRewrite:
    """Parse, classify and apply the policies, as the governance function does."""
    names = names or namespace()
    statement = parse_statement(sql, names.dialect)
    classify(statement)
    return apply_policies(
        statement,
        policies=policies(names.dialect, names.default_schema) if rules is None else rules,
        columns=columns_in(names.default_schema) if columns is None else columns,
        context=context,
        namespace=names,
    )


# --- the databases: everything, and only what a persona may see -------------------------


def _open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True, config={"enable_external_access": False})


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The whole demo database, opened as user SQL sees it (catalog `demo`, read-only)."""
    path = tmp_path_factory.mktemp("full") / "demo.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(SCHEMA_SQL + DATA_SQL)
    connection = _open_read_only(path)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def allowed(
    demo: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, duckdb.DuckDBPyConnection]]:
    """Per persona, a copy of the demo database holding only the rows and values the
    persona may see: running a statement there is what the policy allows it to return."""
    connections = {}
    for name, context in PERSONAS.items():
        path = tmp_path_factory.mktemp(f"allowed-{name}") / "demo.duckdb"
        with duckdb.connect(str(path)) as connection:
            connection.execute(SCHEMA_SQL)
            for table in ("sales", "customers", "regions"):
                visible = demo.sql(_sql(rewrite(f"SELECT * FROM {table}", context)))
                connection.register("visible", visible.to_arrow_table())
                connection.execute(f"INSERT INTO {table} SELECT * FROM visible")
                connection.unregister("visible")
        connections[name] = _open_read_only(path)
    yield connections
    for connection in connections.values():
        connection.close()


def _sql(result: PolicyRewrite) -> str:
    return result.statement.sql("duckdb")


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return sorted(connection.execute(sql).fetchall(), key=repr)


def _cells(value: object) -> Iterator[str]:
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _cells(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _cells(key)
            yield from _cells(item)
    elif value is not None:
        yield str(value).lower()


def assert_no_secret(rows: Sequence[tuple[object, ...]]) -> None:
    for cell in _cells(list(rows)):
        leaked = [secret for secret in ANALYST_SECRETS if secret in cell]
        assert not leaked, f"{leaked} in {cell!r}"


# --- fixtures: the rewrite itself ----------------------------------------------------------


@pytest.mark.parametrize("block", load_blocks("policy.sql"), ids=block_id)
def test_rewrite_matches_fixture(block: Block) -> None:
    names = namespace(block)
    expected = block.expected
    for placeholder, subquery in PLACEHOLDERS.items():
        expected = expected.replace(placeholder, subquery)

    result = rewrite(block.sql, PERSONAS[block.get("user", "ana")], names=names)

    written = sqlglot.transpile(expected, read=names.dialect, write=names.dialect)[0]
    assert result.statement.sql(names.dialect) == written


_RUNNABLE = [
    block
    for block in load_blocks("policy.sql")
    if block.get("dialect", "duckdb") == "duckdb" and block.get("run", "same") != "no"
]


@pytest.mark.parametrize("block", _RUNNABLE, ids=block_id)
def test_rewritten_fixture_returns_only_what_the_policy_allows(
    block: Block,
    demo: duckdb.DuckDBPyConnection,
    allowed: dict[str, duckdb.DuckDBPyConnection],
) -> None:
    user = block.get("user", "ana")

    rows = _rows(demo, _sql(rewrite(block.sql, PERSONAS[user])))

    if block.get("run", "same") == "same":
        assert rows == _rows(allowed[user], block.sql)
    if user == "ana":
        assert_no_secret(rows)


@pytest.mark.parametrize("block", load_blocks("policy_refused.sql"), ids=block_id)
def test_what_cannot_be_proven_safe_is_refused(block: Block) -> None:
    with pytest.raises(QueryRefused, match=re.escape(block.meta["refused"])) as refused:
        rewrite(block.sql, names=namespace(block))

    assert refused.value.sqlstate == "42501"


# --- the hostile corpus --------------------------------------------------------------------

HOSTILE = load_blocks("policy_hostile.sql")


def test_the_hostile_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 80


@pytest.mark.parametrize("block", HOSTILE, ids=block_id)
def test_a_hostile_statement_is_refused_or_returns_only_what_the_policy_allows(
    block: Block,
    demo: duckdb.DuckDBPyConnection,
    allowed: dict[str, duckdb.DuckDBPyConnection],
) -> None:
    """Refused by the classifier or the pass, failed by the engine, or run: then it returns
    what the same statement returns on the analyst's copy, and nothing secret anywhere."""
    expect = block.get("expect", "rows")
    if expect == "refused":
        with pytest.raises(QueryRefused):
            rewrite(block.sql)
        return
    sql = _sql(rewrite(block.sql))
    if expect == "error":
        with pytest.raises(duckdb.Error):
            demo.execute(sql)
        return

    result = demo.execute(sql)
    names = [column[0] for column in result.description or []]
    rows = sorted(result.fetchall(), key=repr)

    if block.get("check", "same") == "same":
        assert rows == _rows(allowed["ana"], block.sql)
    assert_no_secret([*rows, tuple(names)])


def test_the_corpus_catches_a_missing_rewrite(
    demo: duckdb.DuckDBPyConnection, allowed: dict[str, duckdb.DuckDBPyConnection]
) -> None:
    """Run unrewritten, nearly every statement that runs shows the analyst too much (the
    rest are metadata probes and questions whose answer the policy happens not to change)."""
    runnable = [block for block in HOSTILE if block.get("expect", "rows") == "rows"]
    caught = 0
    for block in runnable:
        rows = _rows(demo, block.sql)
        try:
            assert_no_secret(rows)
        except AssertionError:
            caught += 1
            continue
        if block.get("check", "same") == "same" and rows != _rows(allowed["ana"], block.sql):
            caught += 1

    assert caught >= 0.85 * len(runnable)


# --- a masked column is masked wherever it is used -----------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT id FROM sales WHERE email = 'zoë@example.eu'", []),
        ("SELECT id FROM sales WHERE email = '***@example.eu' ORDER BY id", [(1,), (8,)]),
        (
            "SELECT email, count(*) FROM sales GROUP BY email ORDER BY email",
            [("***@example.de", 1), ("***@example.eu", 2), (None, 1)],
        ),
        ("SELECT count(DISTINCT email) FROM sales", [(2,)]),
        (
            "SELECT a.id, b.id FROM sales a JOIN sales b ON a.email = b.email AND a.id < b.id",
            [(1, 8)],
        ),
        ("SELECT id FROM sales ORDER BY email DESC NULLS LAST, id LIMIT 2", [(1,), (8,)]),
        (
            "SELECT id, first_value(email) OVER (ORDER BY id) FROM sales ORDER BY id LIMIT 1",
            [(1, "***@example.eu")],
        ),
        ("SELECT email FROM sales GROUP BY email HAVING email LIKE 'z%'", []),
        ("SELECT s.id FROM sales s JOIN customers c USING (email)", []),
        ("SELECT DISTINCT email FROM customers", [("hidden",)]),
        ("SELECT id FROM customers ORDER BY id", [(10,), (11,), (12,)]),
    ],
)
def test_a_masked_column_is_masked_wherever_it_is_used(
    sql: str, expected: list[tuple[object, ...]], demo: duckdb.DuckDBPyConnection
) -> None:
    assert demo.execute(_sql(rewrite(sql))).fetchall() == expected


def test_a_lookup_in_a_policy_is_not_shadowed_by_the_users_cte(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    lookup = {
        SALES: TablePolicy.from_sql(
            row_filter="region IN (SELECT r.code FROM regions AS r WHERE r.name = 'Europe')",
            dialect="duckdb",
        )
    }
    sql = "WITH regions AS (SELECT 'US' AS code, 'Europe' AS name) SELECT id FROM sales"

    result = rewrite(sql, rules=lookup)

    assert sorted(demo.execute(_sql(result)).fetchall()) == [(1,), (2,), (3,), (8,)]


def test_the_rewritten_statement_still_passes_the_classifier() -> None:
    for sql in ("EXPLAIN ANALYZE SELECT email FROM sales", "SUMMARIZE sales", "TABLE sales"):
        classify(rewrite(sql).statement)


def test_explain_shows_the_plan_of_the_rewritten_statement(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    plan = str(demo.execute(_sql(rewrite("EXPLAIN SELECT email FROM sales"))).fetchall())

    assert "region = 'EMEA'" in plan


def test_the_statement_given_is_not_mutated() -> None:
    statement = parse_statement("SELECT email FROM sales", "duckdb")

    apply_policies(
        statement, policies=policies(), columns=COLUMNS, context=ANALYST, namespace=namespace()
    )

    assert statement.sql("duckdb") == "SELECT email FROM sales"


def test_an_in_place_rewrite_gives_the_same_statement() -> None:
    sql = "SELECT s.email, c.email FROM sales s JOIN customers c ON c.id = s.customer_id"
    copied = rewrite(sql)
    statement = parse_statement(sql, "duckdb")

    in_place = apply_policies(
        statement,
        policies=policies(),
        columns=COLUMNS,
        context=ANALYST,
        namespace=namespace(),
        copy=False,
    )

    assert in_place.statement is statement
    assert statement == copied.statement
    assert in_place.key == copied.key


def test_a_statement_no_policy_applies_to_comes_back_itself() -> None:
    statement = parse_statement("SELECT * FROM regions", "duckdb")

    result = apply_policies(
        statement, policies=policies(), columns=COLUMNS, context=ANALYST, namespace=namespace()
    )

    assert result.statement is statement
    assert (result.applied, result.key) == ({}, "")


# --- current_user() and is_member() --------------------------------------------------------


def test_current_user_and_is_member_become_literals_before_they_are_spliced_in() -> None:
    result = rewrite("SELECT * FROM customers", PolicyContext(user="o'brien"))

    where = result.statement.find(exp.Where)
    assert where is not None
    assert where.sql("duckdb") == "WHERE owner = 'o''brien'"
    assert not list(result.statement.find_all(exp.CurrentUser, exp.Anonymous))


def test_a_membership_test_without_a_literal_group_is_refused() -> None:
    rules = {SALES: TablePolicy.from_sql(row_filter="is_member(region)", dialect="duckdb")}

    with pytest.raises(QueryRefused, match="without a group name literal"):
        rewrite("SELECT 1 FROM sales", rules=rules)


def test_an_admin_reads_the_table_itself() -> None:
    result = rewrite("SELECT * FROM sales JOIN customers ON true", ADMIN)

    assert result.applied == {}
    assert result.key == ""
    assert result.statement.sql("duckdb") == "SELECT * FROM sales JOIN customers ON TRUE"


# --- misconfigured policies fail closed ----------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "columns", "message"),
    [
        (
            {SALES: TablePolicy.from_sql(row_filter="tenant = 'x'", dialect="duckdb")},
            COLUMNS,
            "names tenant, not a column of it",
        ),
        (
            {
                SALES: TablePolicy.from_sql(
                    masks={"email": "CASE WHEN x.ok THEN email END"}, dialect="duckdb"
                )
            },
            COLUMNS,
            "names x.ok, of no table it reads",
        ),
        (
            {
                SALES: TablePolicy.from_sql(
                    row_filter="EXISTS (SELECT 1 FROM regions AS r WHERE r.code = region)",
                    dialect="duckdb",
                )
            },
            COLUMNS,
            "must qualify region by its table",
        ),
        (
            {SALES: TablePolicy.from_sql(masks={"phone": "NULL"}, dialect="duckdb")},
            COLUMNS,
            "the mask on main.sales.phone names a column the table lacks",
        ),
        (
            {SALES: TablePolicy.from_sql(masks={"email": "NULL"}, dialect="duckdb")},
            {},
            "the columns of the governed table main.sales are not known",
        ),
    ],
)
def test_a_policy_that_cannot_be_applied_refuses_the_statement(
    rules: dict[TableKey, TablePolicy], columns: dict[TableKey, list[str]], message: str
) -> None:
    with pytest.raises(QueryRefused, match=re.escape(message)):
        rewrite("SELECT 1 FROM sales", rules=rules, columns=columns)


# --- the policy key ------------------------------------------------------------------------


def test_users_with_different_effective_policies_get_different_keys() -> None:
    keys = {
        rewrite("SELECT * FROM customers", context).key
        for context in (ANALYST, PolicyContext(user="bob"), PII_READER)
    }

    assert len(keys) == 3


def test_users_with_the_same_effective_policy_share_a_key() -> None:
    sql = "SELECT * FROM sales"
    ana = rewrite(sql, ANALYST)
    bob = rewrite(sql, PolicyContext(user="bob", groups=frozenset({"sales_team"})))
    pia = rewrite(sql, PII_READER)

    assert ana.key == bob.key != ""
    assert ana.statement == bob.statement
    assert pia.key != ana.key


def test_the_key_covers_only_the_tables_read() -> None:
    ana = rewrite("SELECT * FROM sales", ANALYST)
    bob = rewrite("SELECT * FROM sales", PolicyContext(user="bob"))
    bob_customers = rewrite("SELECT * FROM customers", PolicyContext(user="bob"))

    assert ana.key == bob.key
    assert set(bob_customers.applied) == {CUSTOMERS}
    assert bob_customers.key != rewrite("SELECT * FROM customers", ANALYST).key
