"""Fixtures for the server-rendered pages: logged-in clients and finished runs whose
results are written straight into the result store (no worker needed)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from dashboards.models import DataSource, QueryRun, RunStatus
from dashboards.pipeline.result_store import Limits, write_result


@pytest.fixture
def analyst_web(analyst: User) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def admin_web(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def finished_run(analyst: User, duck_source: DataSource) -> Callable[[pa.Table], QueryRun]:
    """A succeeded run of the analyst whose stored result is `table`."""

    def make(table: pa.Table, fingerprint: str = "f" * 64) -> QueryRun:
        write_result(fingerprint, table.to_reader(), Limits(10**9, 10**12, duck_source.name))
        return QueryRun.objects.create(
            user=analyst,
            datasource=duck_source,
            sql="SELECT …",
            origin="editor",
            fingerprint=fingerprint,
            status=RunStatus.SUCCEEDED,
            finished_at=timezone.now(),
            duration_ms=12,
        )

    return make
