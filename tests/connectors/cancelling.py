"""Run a statement while another thread cancels it, and time how long the engine took to stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pyarrow as pa


def run_cancelled_after(
    run: Callable[[], pa.RecordBatchReader], cancel: Callable[[], None], delay_s: float
) -> tuple[BaseException | None, float]:
    """Start `run` (draining its reader), call `cancel` from another thread after
    `delay_s`; return what `run` raised and how long it took after the cancel."""
    timer = threading.Timer(delay_s, cancel)
    started = time.monotonic()
    timer.start()
    raised: BaseException | None = None
    try:
        run().read_all()
    except Exception as error:
        raised = error
    finally:
        timer.join()
    return raised, time.monotonic() - started - delay_s
