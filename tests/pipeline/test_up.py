"""`manage.py up` (what `make run` starts): every process comes up on the embedded
defaults, answers, and Ctrl-C stops them all."""

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


@pytest.mark.timeout(180)
def test_up_serves_queries_and_ctrl_c_stops_every_process(tmp_path: Path):
    port = free_port()
    env = {
        **os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "config.settings", "PORT": str(port),
        "PGWIRE_PORT": str(free_port()),
    }
    manage(env, "migrate", "--noinput", "-v0")
    assert "demo login: demo / demo-dashwire" in manage(env, "demo")
    token = manage(env, "token", "create", "demo").strip()
    up = subprocess.Popen(
        [sys.executable, "manage.py", "up"], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert time.monotonic() < deadline, "the stack did not become ready"
            try:
                if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still starting
                pass
            time.sleep(0.5)
        headers = {"Authorization": f"Bearer {token}"}
        run = requests.post(
            f"{base}/api/runs", headers=headers,
            json={"datasource": "demo", "sql": "SELECT count(*) AS n FROM gapminder"},
        ).json()
        while run["status"] in {"queued", "running"}:
            time.sleep(0.05)
            run = requests.get(f"{base}/api/runs/{run['id']}", headers=headers).json()
        assert run["status"] == "succeeded"
        rows = requests.get(f"{base}/api/runs/{run['id']}/result", headers=headers).json()
        assert rows["rows"] == [[1704]]

        os.killpg(up.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert up.wait(timeout=30) == 0
        assert processes_left_in_group(up.pid, wait_s=15) == []
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
