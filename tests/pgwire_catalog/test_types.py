"""pg_type_for: engine type names → PostgreSQL types, from fixtures/engine_types.tsv."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwire.types.engine import pg_type_for

CASES = [
    line.split("\t")
    for line in (Path(__file__).parent / "fixtures" / "engine_types.tsv").read_text().splitlines()
    if line and not line.startswith("#")
]


@pytest.mark.parametrize(("engine_type", "typname", "oid", "typmod", "sql_name"), CASES)
def test_engine_type_maps_to_postgres_type(
    engine_type: str, typname: str, oid: str, typmod: str, sql_name: str
) -> None:
    pg_type = pg_type_for(engine_type)
    assert (pg_type.name, pg_type.oid, pg_type.typmod) == (typname, int(oid), int(typmod))
    assert pg_type.sql_name == sql_name


def test_delta_timestamps_are_instants() -> None:
    assert pg_type_for("timestamp", engine="delta").name == "timestamptz"
