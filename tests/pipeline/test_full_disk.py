"""A result that does not fit on the results disk fails its run cleanly, and the worker
goes on serving queries. The disk is a real, small tmpfs mounted for the test."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import WorkerHandle, require_service, wait_for_run

pytestmark = pytest.mark.django_db(transaction=True)

# ~300,000 rows of hex digests: some 20 MB that lz4 cannot shrink below the disk's 4 MB
BIG_SQL = (
    "SELECT i, md5(CAST(i AS VARCHAR)) || md5(CAST(i + 1 AS VARCHAR)) AS h FROM range(300000) t(i)"
)


def small_sql(addend: int) -> str:
    return f"SELECT 42 + {addend} AS answer"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "results"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        require_service("a tmpfs mount (needs root)", mounted.stderr.strip())
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


@pytest.fixture
def worker_on_small_disk(worker: WorkerHandle, small_disk: Path, settings) -> Iterator[Path]:
    settings.RESULTS_DIR = small_disk
    worker.restart(env={"RESULTS_DIR": str(small_disk)})
    try:
        yield small_disk
    finally:
        worker.restart()


def post_run(client, sql: str) -> str:
    body = {"datasource": "shop", "sql": sql}
    response = client.post("/api/runs", body, content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return str(response.json()["id"])


def test_a_result_too_big_for_the_disk_fails_and_the_worker_keeps_working(
    worker_on_small_disk: Path, duck_source, analyst_api
) -> None:
    failed = wait_for_run(analyst_api, post_run(analyst_api, BIG_SQL), timeout_s=60)

    assert failed["status"] == "failed"
    assert failed["error"]["sqlstate"] == "53100"
    assert "could not be stored: No space left on device" in failed["error"]["message"]
    assert failed["error"]["retryable"] is True
    assert not [path for path in worker_on_small_disk.rglob("*") if path.is_file()]

    # more runs than the worker has pool processes, so the one that hit the full disk serves
    for addend in range(4):
        answered = wait_for_run(analyst_api, post_run(analyst_api, small_sql(addend)), 60)
        assert answered["status"] == "succeeded"
        page = analyst_api.get(f"/api/runs/{answered['id']}/result").json()
        assert page["rows"] == [[42 + addend]]
