"""`manage.py up` (what `make run` starts): every process comes up on the embedded
defaults, answers, a killed process is started again without taking the others down, and
Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bench.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    ).stdout


def processes_left_in_group(group: int, wait_s: float) -> list[str]:
    """Command lines of the group's processes still alive after up to `wait_s`."""
    deadline = time.monotonic() + wait_s
    while True:
        found = subprocess.run(
            ["pgrep", "-a", "-g", str(group)], capture_output=True, text=True
        ).stdout.splitlines()
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def wait_until_ready(base: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        assert time.monotonic() < deadline, "the stack did not become ready"
        try:
            if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still starting
            pass
        time.sleep(0.5)


def count_gapminder(base: str, token: str, sql: str) -> object:
    headers = {"Authorization": f"Bearer {token}"}
    run = requests.post(
        f"{base}/api/runs", headers=headers, json={"datasource": "demo", "sql": sql}
    ).json()
    deadline = time.monotonic() + 60
    while run["status"] in {"queued", "running"}:
        assert time.monotonic() < deadline, f"the run did not end: {run}"
        time.sleep(0.05)
        run = requests.get(f"{base}/api/runs/{run['id']}", headers=headers).json()
    assert run["status"] == "succeeded", run
    return requests.get(f"{base}/api/runs/{run['id']}/result", headers=headers).json()["rows"]


def celery_worker_main(group: int) -> int:
    """The pid of the Celery worker's main process in the group (its pool's parent)."""
    found = subprocess.run(
        ["pgrep", "-g", str(group), "-f", "celery -A config worker"],
        capture_output=True, text=True,
    ).stdout.split()
    pids = {int(pid) for pid in found}
    parents = {
        pid for pid in pids if int(Path(f"/proc/{pid}/stat").read_text().split()[3]) not in pids
    }
    assert len(parents) == 1, found
    return parents.pop()


@pytest.mark.timeout(240)
def test_up_serves_queries_survives_a_killed_worker_and_ctrl_c_stops_every_process(
    tmp_path: Path,
):
    port = free_port()
    env = {
        **os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "config.settings", "PORT": str(port),
        "PGWIRE_PORT": str(free_port()),
    }
    manage(env, "migrate", "--noinput", "-v0")
    assert "demo login: demo / demo-dashwire" in manage(env, "demo")
    token = manage(env, "token", "create", "demo").strip()
    log = tmp_path / "up.log"
    with log.open("wb") as output:
        up = subprocess.Popen(
            [sys.executable, "manage.py", "up"], cwd=ROOT, env=env, start_new_session=True,
            stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base)
        assert count_gapminder(base, token, "SELECT count(*) AS n FROM gapminder") == [[1704]]

        os.kill(celery_worker_main(up.pid), signal.SIGKILL)
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        wait_until_ready(base)  # the worker answers pings again
        assert count_gapminder(base, token, "SELECT count(*) + 1 FROM gapminder") == [[1705]]
        assert up.poll() is None
        assert "worker exited with -9; starting it again" in log.read_text()

        os.killpg(up.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert up.wait(timeout=30) == 0
        assert processes_left_in_group(up.pid, wait_s=15) == []
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
