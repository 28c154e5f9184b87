"""Audit rows written in batches, for origins that run statements faster than one insert
each allows (the wire endpoint). A background thread writes what was added at most
FLUSH_INTERVAL_S ago; `flush()` writes the rest now (at shutdown, and in tests).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.db import DatabaseError, close_old_connections

from dashboards.models import AuditEvent

FLUSH_INTERVAL_S = 0.25

logger = logging.getLogger(__name__)


class AuditBuffer:
    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._pending: list[AuditEvent] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, event: AuditEvent) -> None:
        with self._lock:
            self._pending.append(event)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self._thread.start()

    def flush(self) -> None:
        """Write every pending row (in the calling thread)."""
        with self._flushing:
            with self._lock:
                events, self._pending = self._pending, []
            if not events:
                return
            try:
                AuditEvent.objects.bulk_create(events)
            except DatabaseError:
                logger.exception("could not write %d audit rows; keeping them", len(events))
                with self._lock:
                    self._pending[:0] = events

    def _run(self) -> None:
        while True:
            time.sleep(self._interval_s)
            if self._pending:
                close_old_connections()
                self.flush()


wire_audit = AuditBuffer(FLUSH_INTERVAL_S)
atexit.register(wire_audit.flush)
