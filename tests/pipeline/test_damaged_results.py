"""A result file damaged on disk is discarded when read, and its query computed afresh,
instead of failing every read and cached re-run until it expires."""

from __future__ import annotations

import pytest

from dashboards.models import QueryRun
from dashboards.pipeline.result_store import result_path

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]

SQL = "SELECT i, 'row ' || i AS label FROM range(5000) t(i)"


def damage(path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\xff" * len(data[middle : middle + 4096])
    path.write_bytes(bytes(data[: len(data) * 3 // 4]))


def test_a_damaged_result_is_discarded_then_computed_again(
    duck_source, run_sql, analyst_api
) -> None:
    first = run_sql("shop", SQL)
    assert first["status"] == "succeeded"
    damage(result_path(QueryRun.objects.get(pk=first["id"]).fingerprint))

    response = analyst_api.get(f"/api/runs/{first['id']}/result")
    assert response.status_code == 410
    assert "was damaged and has been discarded" in response.json()["detail"]

    again = run_sql("shop", SQL, max_age_s=3600)
    assert again["status"] == "succeeded" and again["cached"] is False
    rows = analyst_api.get(f"/api/runs/{again['id']}/result?limit=5000").json()["rows"]
    assert len(rows) == 5000 and rows[4999] == [4999, "row 4999"]
