"""Shared fixtures: personas, API clients, small real data sources and a real Celery worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
import pytest
from deltalake import write_deltalake
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from dashboards.identity.tokens import create_token
from dashboards.models import DataSource

ROOT = Path(__file__).resolve().parent.parent
TERMINAL = {"succeeded", "failed", "cancelled"}
T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T], timeout_s: float) -> T:
    """Run `coroutine` to its end on a fresh event loop in its own thread: the browser
    tests' Playwright keeps a loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coroutine, timeout_s)).result()


def require_service(name: str, problem: str) -> None:
    """Skip when a local service is missing, but fail in CI (DASHWIRE_REQUIRE_SERVICES)."""
    message = f"{name} is not available: {problem}"
    if os.environ.get("DASHWIRE_REQUIRE_SERVICES"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def admin(db: None) -> User:
    return User.objects.create_superuser("ada_admin", "ada@example.com", "admin-password-1")


@pytest.fixture
def analyst(db: None) -> User:
    return User.objects.create_user("ann_analyst", "ann@example.com", "analyst-password-1")


@pytest.fixture
def outsider(db: None) -> User:
    """A user whose account was deactivated: authenticates nowhere, sees nothing."""
    return User.objects.create_user(
        "olly_outsider", "olly@example.com", "x-password-1", is_active=False
    )


def bearer_client(user: User) -> Client:
    token, _ = create_token(user, name="tests")
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def analyst_api(analyst: User) -> Client:
    return bearer_client(analyst)


@pytest.fixture
def admin_api(admin: User) -> Client:
    return bearer_client(admin)


def build_duckdb_source(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE sales AS SELECT i AS id, 'region_' || (i % 4) AS region, "
        "i * 1.5 AS amount, DATE '2024-01-01' + i::INTEGER AS day FROM range(1, 101) t(i)"
    )
    con.execute("CREATE TABLE big AS SELECT i FROM range(200000) t(i)")
    con.execute(
        "CREATE VIEW sales_by_region AS SELECT region, sum(amount) AS total FROM sales GROUP BY 1"
    )
    con.close()


@pytest.fixture
def duck_source(db: None, tmp_path: Path) -> DataSource:
    path = tmp_path / "shop.duckdb"
    build_duckdb_source(path)
    return DataSource.objects.create(name="shop", engine="duckdb", path=str(path))


@pytest.fixture
def delta_source(db: None, tmp_path: Path) -> DataSource:
    lake = tmp_path / "lake"
    table = str(lake / "events")
    write_deltalake(table, pa.table({"id": [1, 2], "kind": ["a", "b"]}))
    write_deltalake(table, pa.table({"id": [3], "kind": ["c"]}), mode="append")
    write_deltalake(
        table, pa.table({"id": [10, 20, 30, 40], "kind": ["w", "x", "y", "z"]}), mode="overwrite"
    )
    return DataSource.objects.create(name="lake", engine="delta", path=str(lake))


def worker_env() -> dict[str, str]:
    from django.db import connection

    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{database['NAME']}"
    else:
        url = (
            f"postgresql://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
    }


def start_worker(
    concurrency: int = 2, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    log = open(settings.DATA_DIR / f"worker-{time.time_ns()}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**worker_env(), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for_worker(process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    from config.celery import app

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited with {process.returncode}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError("the worker did not answer a ping in time")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class WorkerHandle:
    """The test session's Celery worker, which a test may kill and start again."""

    def __init__(self) -> None:
        self.process = start_worker()
        wait_for_worker(self.process)

    def kill(self) -> None:
        """SIGKILL the worker and its pool children, as a crash or OOM kill would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def restart(self, env: dict[str, str] | None = None) -> None:
        """Start the worker again, with `env` added to its environment if given."""
        stop_process(self.process)
        self.process = start_worker(env=env)
        wait_for_worker(self.process)


@pytest.fixture(scope="session")
def worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[WorkerHandle]:
    """A real Celery worker process on the configured broker and the test database."""
    handle = WorkerHandle()
    try:
        yield handle
    finally:
        stop_process(handle.process)


def wait_for_run(client: Client, run_id: str, timeout_s: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/api/runs/{run_id}").json()
        if body["status"] in TERMINAL:
            return body
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not end within {timeout_s} s: {body}")


@pytest.fixture
def run_sql(analyst_api: Client) -> Callable[..., dict[str, Any]]:
    """Submit SQL through the API and wait for the run to end; returns the final body."""

    def run(datasource: str, sql: str, **extra: Any) -> dict[str, Any]:
        response = analyst_api.post(
            "/api/runs",
            {"datasource": datasource, "sql": sql, **extra},
            content_type="application/json",
        )
        assert response.status_code in (201, 400), response.content
        body: dict[str, Any] = response.json()
        if body["status"] in TERMINAL:
            return body
        return wait_for_run(analyst_api, body["id"])

    return run
