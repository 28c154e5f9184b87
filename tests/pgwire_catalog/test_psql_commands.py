"""Every psql 15 backslash listing command, run by the real `psql` against the wire endpoint.

Each must succeed (exit status 0, no ERROR). Where both servers print a table, its column
headers must be those real PostgreSQL 15 prints for a database holding the same tables and
view; the rows may differ (our roles, our databases, no text search configurations).
`--csv` drops titles and footers, so a table's first line is its header.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import psycopg
import pytest

from pgwire.server.listener import ServerOptions
from tests.conftest import require_service
from tests.pgwire.conftest import KEYED_TABLES_DDL, PASSWORD, make_backend, running_server
from tests.pgwire.reference import REFERENCE_HOST, reference_dsn, reference_port

# The same tables and view on DuckDB (the endpoint's data source) and on PostgreSQL.
SHARED_DDL = f"""
CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, price DECIMAL(10,2), created DATE);
{KEYED_TABLES_DDL}
CREATE VIEW cheap_items AS SELECT id, name FROM items WHERE price < 10;
"""

# psql 15's listing commands (`\\?`, Informational and Large Objects) and the modifiers each
# takes: S (system objects too), + (more detail).
LISTINGS = {
    "\\d": "S+",
    "\\da": "S",
    "\\dA": "+",
    "\\dAc": "+",
    "\\dAf": "+",
    "\\dAo": "+",
    "\\dAp": "+",
    "\\db": "+",
    "\\dc": "S+",
    "\\dconfig": "+",
    "\\dC": "+",
    "\\dd": "S",
    "\\dD": "S+",
    "\\ddp": "",
    "\\dE": "S+",
    "\\des": "+",
    "\\det": "+",
    "\\deu": "+",
    "\\dew": "+",
    "\\df": "S+",
    "\\dfa": "S+",
    "\\dfn": "S+",
    "\\dfp": "S+",
    "\\dft": "S+",
    "\\dfw": "S+",
    "\\dF": "+",
    "\\dFd": "+",
    "\\dFp": "+",
    "\\dFt": "+",
    "\\dg": "S+",
    "\\di": "S+",
    "\\dl": "+",
    "\\dL": "S+",
    "\\dm": "S+",
    "\\dn": "S+",
    "\\do": "S+",
    "\\dO": "S+",
    "\\dp": "",
    "\\dP": "+",
    "\\dPi": "+",
    "\\dPt": "+",
    "\\dPn": "+",
    "\\drds": "",
    "\\dRp": "+",
    "\\dRs": "+",
    "\\ds": "S+",
    "\\dt": "S+",
    "\\dT": "S+",
    "\\du": "S+",
    "\\dv": "S+",
    "\\dx": "+",
    "\\dX": "",
    "\\dy": "+",
    "\\l": "+",
    "\\lo_list": "+",
    "\\z": "",
}
DESCRIPTIONS = [
    "\\d items",
    "\\d+ items",
    "\\d stock",
    "\\d cheap_items",
    "\\d+ cheap_items",
    "\\d items_pkey",
    "\\dt items",
    "\\dt+ s*",
]
# Describing each object of an empty list fails in psql itself ("Did not find any text search
# configurations.", exit status 1): the endpoint has no text search parsers, configurations or
# publications, and PostgreSQL 15 answers the same for an empty list.
FAILS_WHEN_EMPTY = frozenset({"\\dF+", "\\dFp+", "\\dRp+"})
# PostgreSQL's rows decide how many tables these print and under which headers (one per text
# search configuration or parser): there is nothing to compare with.
ROW_SHAPED = frozenset({"\\dF+", "\\dFp+"})
# Built-in functions whose definition \sf prints exactly as PostgreSQL does.
BUILTIN_FUNCTIONS = [
    "version",
    "generate_series(integer,integer)",
    "obj_description(oid, name)",
    "pg_catalog.plpgsql_call_handler",
]


def listing_commands() -> list[str]:
    commands = []
    for command, modifiers in LISTINGS.items():
        commands.append(command)
        commands += [command + modifier for modifier in modifiers]
        if modifiers == "S+":
            commands.append(command + "S+")
    return commands


@dataclass(frozen=True)
class Psql:
    """Runs psql against one server; `conninfo` and `env` say which and as whom."""

    conninfo: str
    env: dict[str, str]

    def run(self, command: str, *options: str) -> subprocess.CompletedProcess[str]:
        return self._psql(["-c", command, *options])

    def run_script(self, script: str) -> subprocess.CompletedProcess[str]:
        """`script` read from standard input, as if typed; the editor leaves text as it is."""
        return self._psql([], script, {"PSQL_EDITOR": "true"})

    def _psql(
        self, arguments: list[str], script: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["psql", self.conninfo, "-X", *arguments],
            env={**os.environ, **self.env, **(env or {})},
            input=script,
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Psql]:
    if shutil.which("psql") is None:
        require_service("psql", "the psql binary is not on PATH")
    path = tmp_path_factory.mktemp("psql") / "shared.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(SHARED_DDL)
    with running_server(make_backend(path), ServerOptions(port=0)) as server:
        conninfo = f"host=127.0.0.1 port={server.port} user=ann dbname=demo sslmode=disable"
        yield Psql(conninfo, {"PGPASSWORD": PASSWORD})


@pytest.fixture(scope="module")
def reference() -> Iterator[Psql]:
    """PostgreSQL 15 with the same tables in a schema of their own, alone on the path."""
    port = reference_port()
    schema = f"dw_psql_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(reference_dsn(), autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
        connection.execute(f"SET search_path = {schema}")
        connection.execute(SHARED_DDL)
        conninfo = f"host={REFERENCE_HOST} port={port} user=postgres dbname=postgres"
        try:
            yield Psql(conninfo, {"PGOPTIONS": f"-c search_path={schema}"})
        finally:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def header(result: subprocess.CompletedProcess[str]) -> str | None:
    """The first table's column headers in `--csv` output; None when it printed no table."""
    return result.stdout.splitlines()[0] if result.stdout else None


def assert_succeeded(command: str, result: subprocess.CompletedProcess[str]) -> None:
    assert "ERROR" not in result.stderr, (command, result.stderr)
    if command in FAILS_WHEN_EMPTY and result.returncode == 1:
        assert result.stderr.startswith("Did not find any"), (command, result.stderr)
    else:
        assert result.returncode == 0, (command, result.stderr)


@pytest.mark.parametrize("command", listing_commands() + DESCRIPTIONS)
def test_psql_command_prints_what_postgres_prints(
    endpoint: Psql, reference: Psql, command: str
) -> None:
    ours = endpoint.run(command, "--csv")
    assert_succeeded(command, ours)
    if command not in ROW_SHAPED:
        assert header(ours) == header(reference.run(command, "--csv")), command


def test_describing_the_tables_lists_them_with_sizes(endpoint: Psql) -> None:
    tables = endpoint.run("\\dt+", "--csv")
    assert tables.stdout.splitlines()[1:] == [
        f"public,{name},table,dashwire,permanent,heap,0 bytes,"
        for name in ("items", "stock", "suppliers")
    ]
    indexes = endpoint.run("\\di+ items_pkey", "--csv")
    assert indexes.stdout.splitlines()[1] == (
        "public,items_pkey,index,dashwire,items,permanent,btree,8192 bytes,"
    )


def test_roles_list_the_signed_in_user(endpoint: Psql) -> None:
    roles = endpoint.run("\\du", "--csv").stdout.splitlines()
    assert roles == [
        "Role name,Attributes,Member of",
        "ann,,{}",
        'dashwire,"Superuser, Create role, Create DB",{}',
    ]


@pytest.mark.parametrize("function", BUILTIN_FUNCTIONS)
def test_sf_prints_a_builtin_function_as_postgres_does(
    endpoint: Psql, reference: Psql, function: str
) -> None:
    for command in (f"\\sf {function}", f"\\sf+ {function}"):
        ours = endpoint.run(command)
        assert ours.returncode == 0, ours.stderr
        assert ours.stdout == reference.run(command).stdout


def test_sf_of_an_unknown_function_fails_as_in_postgres(endpoint: Psql, reference: Psql) -> None:
    ours, theirs = endpoint.run("\\sf no_such_function"), reference.run("\\sf no_such_function")
    assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr)
    assert 'function "no_such_function" does not exist' in ours.stderr


def test_ef_edits_a_builtin_function_as_in_postgres(endpoint: Psql, reference: Psql) -> None:
    script = "\\ef version\n\\p\n\\ef no_such_function\n"
    ours, theirs = endpoint.run_script(script), reference.run_script(script)
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert "No changes" in ours.stdout


def test_sv_names_the_view(endpoint: Psql) -> None:
    # The engines do not report a view's query, so the definition after AS is empty.
    result = endpoint.run("\\sv cheap_items")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("CREATE OR REPLACE VIEW public.cheap_items AS")
