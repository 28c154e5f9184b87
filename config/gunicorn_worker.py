"""The web server's worker: gunicorn's gthread, except that a slow or idle client never holds
a thread while it sends its request.

gthread waits for a connection's first bytes in its event loop, then gives the connection to
a pool thread that parses the head from a blocking socket with no deadline: sixteen clients
each sending a header line every few seconds hold every thread of two workers, and nothing
else is answered (slowloris). Here:

1. The event loop reads the request head itself, without blocking, until the blank line
   that ends it; only a complete head is handed to a thread (the parser finds it buffered
   and never waits). A head not complete within `WEB_REQUEST_HEAD_TIMEOUT_S` of the first
   read, or larger than the parser would accept, closes the connection.
2. A kept-alive connection goes through the same step for each of its requests.
3. In the thread, reading the body has one overall deadline, `WEB_REQUEST_BODY_TIMEOUT_S`
   from the moment the head was complete (not a timeout per recv, which a client sending a
   byte at a time would reset): past it, a read raises TimeoutError, which the app sees as
   an unreadable request.

Normal requests take the same path as in gthread plus one non-blocking recv in the event
loop. TLS and HTTP/2 prior knowledge are left to gthread's own path (we serve neither).
Use: `gunicorn --worker-class config.gunicorn_worker.HeadFirstWorker`.
"""

from __future__ import annotations

import errno
import math
import selectors
import socket
import time
from collections import deque
from functools import partial
from typing import Any

from gunicorn import http
from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import TConn, ThreadWorker

HEAD_END = b"\r\n\r\n"
RECV_BYTES = 64 * 1024
# the largest head we buffer when the parser's limits are switched off (0)
UNLIMITED_HEAD_BYTES = 1024 * 1024


class BodyTimeout(TimeoutError):
    """The request body did not arrive within its deadline."""


class DeadlineSocket:
    """A socket's reading side with one overall deadline (the unreader's only use of it)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.deadline = math.inf

    def recv(self, size: int) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise BodyTimeout("the request body was not sent in time")
        self.sock.settimeout(min(remaining, 1e9))
        try:
            return self.sock.recv(size)
        except TimeoutError as error:
            raise BodyTimeout("the request body was not sent in time") from error
        finally:
            self.sock.settimeout(None)


class HeadFirstWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn is untyped
    """gthread that hands a connection to a thread only with a complete request head."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout_s = 10.0  # both set from the settings in run()
        self.body_timeout_s = 60.0
        self.max_head_bytes = self._max_head_bytes()
        # connections whose head is being read, oldest deadline first
        self.reading_heads: deque[TConn] = deque()

    def run(self) -> None:
        # the app (config.wsgi) is loaded by now, so Django's settings are configured
        from django.conf import settings

        self.head_timeout_s = settings.WEB_REQUEST_HEAD_TIMEOUT_S
        self.body_timeout_s = settings.WEB_REQUEST_BODY_TIMEOUT_S
        super().run()

    def _max_head_bytes(self) -> int:
        cfg = self.cfg
        if not (cfg.limit_request_line and cfg.limit_request_fields):
            return UNLIMITED_HEAD_BYTES
        field_bytes = cfg.limit_request_field_size or UNLIMITED_HEAD_BYTES
        return int(cfg.limit_request_line + cfg.limit_request_fields * (field_bytes + 2) + 4)

    def _is_plain_http1(self, conn: TConn) -> bool:
        return not self.cfg.is_ssl and not negotiation.prior_knowledge_allowed(
            self.cfg, conn.client
        )

    def accept(self, listener: socket.socket) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except OSError as error:
            # another worker took it, or the client gave up first
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())
        if not self._is_plain_http1(conn):
            client_sock.setblocking(True)
            super().enqueue_req(conn)
            return
        self._read_head(conn, b"")

    def enqueue_req(self, conn: TConn) -> None:
        """gthread calls this for a kept-alive connection that became readable and for one
        with bytes already read past its last request: both read their next head first."""
        if getattr(conn, "has_head", False) or not self._is_plain_http1(conn):
            conn.has_head = False
            super().enqueue_req(conn)
            return
        buffered = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        self._read_head(conn, buffered)

    def on_client_socket_readable(self, conn: TConn, client: socket.socket) -> None:
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._read_head(conn, b"")

    def _read_head(self, conn: TConn, buffered: bytes) -> None:
        conn.head = bytearray(buffered)
        if HEAD_END in conn.head:
            self._dispatch(conn)
            return
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + self.head_timeout_s
        self.reading_heads.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_head_readable, conn))

    def on_head_readable(self, conn: TConn, client: socket.socket) -> None:
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop_reading(conn)
            return
        # the end marker may straddle two reads: search from just before the new bytes
        start = max(len(conn.head) - len(HEAD_END) + 1, 0)
        conn.head += data
        if conn.head.find(HEAD_END, start) >= 0:
            self._stop_reading(conn)
            self._dispatch(conn)
        elif len(conn.head) > self.max_head_bytes:
            self._drop_reading(conn)

    def _dispatch(self, conn: TConn) -> None:
        """Hand the connection, its head buffered, to a pool thread."""
        conn.sock.setblocking(True)
        if conn.parser is None:
            conn.initialized = True  # plain HTTP/1: nothing of TConn.init() is needed
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
            conn.deadline_socket = DeadlineSocket(conn.sock)
            conn.parser.unreader.sock = conn.deadline_socket
        conn.parser.unreader.unread(bytes(conn.head))
        conn.head = bytearray()
        conn.deadline_socket.deadline = time.monotonic() + self.body_timeout_s
        conn.data_ready = True
        conn.has_head = True
        self.enqueue_req(conn)

    def _stop_reading(self, conn: TConn) -> None:
        self.reading_heads.remove(conn)
        self.poller.unregister(conn.sock)

    def _drop_reading(self, conn: TConn) -> None:
        self._stop_reading(conn)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """gthread's run loop calls this about once a second: close the connections whose
        head did not arrive in time, too."""
        super().murder_pending()
        now = time.monotonic()
        while self.reading_heads and self.reading_heads[0].timeout <= now:
            self._drop_reading(self.reading_heads[0])
