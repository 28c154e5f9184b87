"""Engines kept open for wire sessions.

Opening a DuckDB file costs tens of milliseconds, and the connectors close the file when
its last user goes; a BI tool that opens a connection per query would pay that every
time. The pool holds one connector per data source while sessions use it and for
`linger_s` after the last one left, and remembers the source's table list briefly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from connectors.base import Connector, TableInfo


@dataclass
class _OpenEngine:
    connector: Connector
    sessions: set[int] = field(default_factory=set)
    idle_since: float = 0.0
    tables: list[TableInfo] | None = None
    tables_at: float = 0.0


class EnginePool:
    """Thread-safe; `open` makes a connector for a data source key."""

    def __init__(
        self,
        open: Callable[[str], Connector],
        *,
        linger_s: float = 60.0,
        tables_ttl_s: float = 5.0,
    ) -> None:
        self._open = open
        self._linger_s = linger_s
        self._tables_ttl_s = tables_ttl_s
        self._lock = threading.Lock()
        self._engines: dict[str, _OpenEngine] = {}

    def hold(self, key: str, session_id: int) -> None:
        """Keep `key`'s engine open for the session (until `release(session_id)`)."""
        with self._lock:
            self._close_idle()
            engine = self._engines.get(key)
            if engine is None:
                connector = self._open(key)
                connector.check()  # connectors open their engine lazily; this opens it now
                engine = self._engines[key] = _OpenEngine(connector)
            engine.sessions.add(session_id)

    def release(self, session_id: int) -> None:
        with self._lock:
            for engine in self._engines.values():
                if session_id in engine.sessions:
                    engine.sessions.discard(session_id)
                    if not engine.sessions:
                        engine.idle_since = time.monotonic()
            self._close_idle()

    def tables(self, key: str) -> list[TableInfo]:
        """The data source's tables, listed at most every `tables_ttl_s` seconds."""
        with self._lock:
            engine = self._engines.get(key)
            now = time.monotonic()
            if (
                engine is not None
                and engine.tables is not None
                and now - engine.tables_at < self._tables_ttl_s
            ):
                return engine.tables
        connector = self._open(key)
        try:
            tables = connector.list_tables()
        finally:
            connector.close()
        with self._lock:
            engine = self._engines.get(key)
            if engine is not None:
                engine.tables, engine.tables_at = tables, time.monotonic()
        return tables

    def _close_idle(self) -> None:
        now = time.monotonic()
        for key in [
            key
            for key, engine in self._engines.items()
            if not engine.sessions and now - engine.idle_since >= self._linger_s
        ]:
            self._engines.pop(key).connector.close()

    def close(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.connector.close()
            self._engines.clear()
