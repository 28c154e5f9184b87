"""Statements fixed by their text are answered from memory, the rest always run."""

from __future__ import annotations

import psycopg

from dashboards.audit.batches import wire_audit
from dashboards.models import AuditEvent
from tests.pgwire.test_django_backend import Served, served

__all__ = ["served"]  # the fixture, used by name


def test_connection_checks_answer_from_memory_and_are_still_audited(served: Served) -> None:
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        for _ in range(3):
            assert connection.execute("SELECT 1").fetchone() == (1,)
        assert connection.execute("SELECT %s::int + 1 AS two", (1,)).fetchone() == (2,)
        assert connection.execute("SELECT 'ok' AS ping").description[0].name == "ping"
    wire_audit.flush()
    assert AuditEvent.objects.filter(origin="wire", sql="SELECT 1").count() == 3


def test_volatile_functions_run_every_time(served: Served) -> None:
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        draws = {connection.execute("SELECT random()").fetchone() for _ in range(5)}
        assert len(draws) == 5
        counted = connection.execute("SELECT count(*) FROM sales").fetchone()
        assert counted == (100,)
