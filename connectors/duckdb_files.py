"""One locked-down read-only DuckDB instance per database file, shared in the process.

DuckDB keeps one instance per file per process, and a locked configuration cannot be
set again; so connectors on the same file share a base connection here and each run
their statements on cursors of it. The instance closes when its last user releases it,
which lets the app's own loader open the file for writing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import duckdb

from connectors.duckdb_runner import LOCKED_CONFIG, lock_down
from connectors.errors import ConnectionFailed

DuckDBConfig = dict[str, str | bool | int | float | list[str]]


@dataclass
class _Shared:
    connection: duckdb.DuckDBPyConnection
    users: int


_lock = threading.Lock()
_open: dict[str, _Shared] = {}


def acquire(path: str, *, threads: int, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection to `path`; release it with `release(path)`.

    `threads` and `memory_limit` apply to the instance; the first user's values hold
    while it stays open. Raises ConnectionFailed if the file cannot be opened.
    """
    with _lock:
        shared = _open.get(path)
        if shared is None:
            config: DuckDBConfig = {
                **LOCKED_CONFIG,
                "threads": threads,
                "memory_limit": memory_limit,
            }
            try:
                connection = duckdb.connect(path, read_only=True, config=config)
            except duckdb.Error as error:
                raise ConnectionFailed(f"cannot open {path}: {error}") from error
            lock_down(connection)
            shared = _open[path] = _Shared(connection, 0)
        shared.users += 1
        return shared.connection


def release(path: str) -> None:
    """Give back one `acquire(path)`; the last one closes the instance."""
    with _lock:
        shared = _open.get(path)
        if shared is None:
            return
        shared.users -= 1
        if shared.users == 0:
            del _open[path]
            shared.connection.close()
