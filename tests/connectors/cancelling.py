"""Run a statement while another thread cancels it once it is observably running."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pyarrow as pa

DEADLINE_S = 60.0


def after(delay_s: float) -> Callable[[], bool]:
    """A `when` for engines whose running statement cannot be seen from outside: true
    once `delay_s` has passed (a cancel that comes earlier is refused all the same)."""
    due = time.monotonic() + delay_s
    return lambda: time.monotonic() >= due


def run_cancelled(
    run: Callable[[], pa.RecordBatchReader], cancel: Callable[[], None], when: Callable[[], bool]
) -> BaseException | None:
    """Start `run` (draining its reader) and, from another thread, call `cancel` as soon
    as `when()` is true (polled for up to a minute); return what `run` raised."""
    stop_polling = threading.Event()

    def cancel_when_running() -> None:
        deadline = time.monotonic() + DEADLINE_S
        while not stop_polling.is_set() and time.monotonic() < deadline:
            if when():
                cancel()
                return
            stop_polling.wait(0.02)

    canceller = threading.Thread(target=cancel_when_running)
    canceller.start()
    raised: BaseException | None = None
    try:
        run().read_all()
    except Exception as error:
        raised = error
    finally:
        stop_polling.set()
        canceller.join()
    return raised
