"""Timeouts for many short statements: one thread per process waits for the earliest
deadline, instead of a `threading.Timer` (a new thread) per statement."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable


class Deadline:
    """A scheduled call; `cancel()` before it is due means it never runs."""

    def __init__(self, scheduler: _Scheduler, due: float, action: Callable[[], None]) -> None:
        self._scheduler = scheduler
        self.due = due
        self.action: Callable[[], None] | None = action

    def cancel(self) -> None:
        if self.action is not None:
            self.action = None
            self._scheduler.forget()


class _Scheduler:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._cancelled = 0

    def schedule(self, delay_s: float, action: Callable[[], None]) -> Deadline:
        deadline = Deadline(self, time.monotonic() + delay_s, action)
        with self._changed:
            heapq.heappush(self._heap, (deadline.due, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is deadline:
                self._changed.notify()
        return deadline

    def forget(self) -> None:
        """Count a cancelled deadline; drop them all once they are most of the heap (a
        statement's timeout is usually far longer than the statement)."""
        with self._changed:
            self._cancelled += 1
            if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
                self._heap = [entry for entry in self._heap if entry[2].action is not None]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _run(self) -> None:
        while True:
            with self._changed:
                while self._heap and self._heap[0][2].action is None:
                    heapq.heappop(self._heap)  # cancelled
                    self._cancelled = max(0, self._cancelled - 1)
                if not self._heap:
                    self._changed.wait()
                    continue
                wait_s = self._heap[0][0] - time.monotonic()
                if wait_s > 0:
                    self._changed.wait(wait_s)
                    continue
                action = heapq.heappop(self._heap)[2].action
            if action is not None:
                action()


_scheduler = _Scheduler()


def call_after(delay_s: float, action: Callable[[], None]) -> Deadline:
    """Run `action` in the deadline thread after `delay_s`, unless cancelled first.
    `action` must be quick (it delays every later deadline) and must not raise."""
    return _scheduler.schedule(delay_s, action)
