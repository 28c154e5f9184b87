"""The shared deadline thread behind statement timeouts."""

from __future__ import annotations

import threading
import time

from connectors.deadlines import call_after


def test_a_deadline_runs_its_action_when_due() -> None:
    fired = threading.Event()
    started = time.monotonic()
    call_after(0.05, fired.set)
    assert fired.wait(30)
    assert time.monotonic() - started >= 0.05


def test_a_cancelled_deadline_never_runs_and_later_ones_still_do() -> None:
    calls: list[int] = []
    for index in range(500):  # many statements finishing well before their timeout
        call_after(0.05, lambda index=index: calls.append(index)).cancel()
    last = threading.Event()
    call_after(0.1, last.set)
    assert last.wait(30)
    assert calls == []


def test_an_earlier_deadline_is_not_held_up_by_a_later_one() -> None:
    later = threading.Event()
    call_after(300, later.set)
    fired = threading.Event()
    call_after(0.02, fired.set)
    assert fired.wait(30)
    assert not later.is_set()
