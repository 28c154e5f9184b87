"""node-postgres (`pg` with `pg-cursor`) against the endpoint. The packages come from
tests/pgwire/node/package-lock.json: `npm ci --prefix tests/pgwire/node` (the Makefile's
system-deps step), or PGWIRE_NODE_MODULES naming an installed node_modules folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require_service
from tests.pgwire.conftest import PASSWORD, RunningServer

NODE_DIR = Path(__file__).parent / "node"


def test_node_postgres_queries_cursor_and_error(wire: RunningServer) -> None:
    modules = Path(os.environ.get("PGWIRE_NODE_MODULES", NODE_DIR / "node_modules"))
    if shutil.which("node") is None or not (modules / "pg").exists():
        require_service("node-postgres", f"node or {modules / 'pg'} is missing")
    result = subprocess.run(
        ["node", str(NODE_DIR / "check.js"), str(wire.port), PASSWORD],
        env={**os.environ, "NODE_PATH": str(modules)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["simple"] == [{"one": 1}]
    assert out["params"] == [{"id": 3, "name": "item 3"}]
    assert out["cursor"] == 250
    assert out["error"] == "42P01"
    assert out["after"] == [{"two": 2}]
