"""The server's watchdog: one thread that looks at every connection a few times a second.
It cuts off a connection whose login ran past its deadline (however slowly the client
trickles bytes, and during a TLS handshake too), and cancels the running statement of a
session whose client went away, as PostgreSQL's `client_connection_check_interval` does:
a statement computing without sending (a big aggregate) would otherwise run on for
nobody.
"""

from __future__ import annotations

import contextlib
import logging
import select
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

logger = logging.getLogger(__name__)

WATCH_INTERVAL_S = 0.25
# past its login deadline a connection waiting for the client times out itself and says
# why; the watchdog cuts off, a little later, one stuck elsewhere (in a TLS handshake)
CUT_OFF_GRACE_S = 1.0
# the peer closed its side, or the connection broke (POLLRDHUP: Linux, since 2.6.17)
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL | getattr(select, "POLLRDHUP", 0)


class Watched(Protocol):
    """What the watchdog reads of a connection and may do to it."""

    is_busy: bool

    def login_deadline(self) -> float | None:
        """time.monotonic() by which the login must be done; None once it is."""

    def fileno(self) -> int:
        """The socket's file descriptor (-1 once closed)."""

    def cancel_statement(self) -> None:
        """Stop the running statement (its client is gone)."""

    def cut_off(self) -> None:
        """Close the connection now."""


class Watchdog:
    """Runs until `stop()`; `connections` lists what to look at each round."""

    def __init__(
        self, connections: Callable[[], Sequence[Watched]], interval_s: float = WATCH_INTERVAL_S
    ) -> None:
        self._connections = connections
        self._interval_s = interval_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pgwire-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval_s):
            try:
                self.look()
            except Exception:  # a bug here must not end the watching
                logger.exception("the pgwire watchdog failed a round")

    def look(self) -> None:
        """One round: cut off late logins, cancel statements of vanished clients."""
        now = time.monotonic()
        busy = []
        for connection in self._connections():
            deadline = connection.login_deadline()
            if deadline is not None and now >= deadline + CUT_OFF_GRACE_S:
                logger.info("cutting off a connection whose login took too long")
                connection.cut_off()
            elif connection.is_busy:
                busy.append(connection)
        for connection in _gone(busy):
            logger.info("cancelling the statement of a client that went away")
            connection.cancel_statement()


def _gone(connections: list[Watched]) -> list[Watched]:
    """Those of `connections` whose peer closed or broke the connection."""
    poller = select.poll()
    by_fd: dict[int, Watched] = {}
    for connection in connections:
        fd = connection.fileno()
        if fd >= 0:
            with contextlib.suppress(OSError, ValueError):
                poller.register(fd, _GONE)
                by_fd[fd] = connection
    if not by_fd:
        return []
    return [by_fd[fd] for fd, events in poller.poll(0) if events & _GONE and fd in by_fd]
