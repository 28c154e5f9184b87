"""The metrics line logged for every statement: rows, bytes, duration, cache hit."""

from __future__ import annotations

import logging
import re

import psycopg
import pytest

from tests.pgwire.test_django_backend import Served, served

__all__ = ["served"]  # the fixture, used by name


def test_each_statement_logs_rows_bytes_time_and_whether_the_cache_answered(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pgwire.query")
    with psycopg.connect(served.dsn(), autocommit=True) as connection:
        for _ in range(2):
            assert len(connection.execute("SELECT * FROM sales WHERE id <= 40").fetchall()) == 40
    lines = [record.getMessage() for record in caplog.records if record.name == "pgwire.query"]
    runs = [line for line in lines if "outcome='SELECT 40'" in line]
    assert len(runs) == 2
    for line in runs:
        assert re.search(r"rows=40 bytes=\d{3,} ms=\d+\.\d", line), line
    assert runs[0].endswith("cache=miss") and runs[1].endswith("cache=hit")
