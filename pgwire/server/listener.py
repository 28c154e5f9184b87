"""The server: accepts connections, negotiates TLS, routes CancelRequests, and gives each
connection a thread of its own that reads a message, lets its `Session` handle it and
sends the answer, so a round trip costs no hand-over between threads.

Every wait on a peer has a timeout. Sends block until the client took the bytes (at most
`write_timeout_s`), so a slow reader holds back only its own statement. Until a client is
logged in it may send only small messages and has `login_timeout_s` from its accept to
finish; the watchdog enforces that and cancels the statements of clients that went away.
A connection that cannot get a thread is refused (53300) and the next one accepted; a
listener that can no longer accept ends `run_server` with a failure status, so the
process's supervisor restarts it.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import secrets
import signal
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from pgwire.ports import Backend
from pgwire.protocol import messages
from pgwire.protocol.codec import (
    MAX_SASL_MESSAGE_BYTES,
    MAX_STARTUP_BYTES,
    CancelRequest,
    FrameReader,
    GSSENCRequest,
    Message,
    SSLRequest,
    StartupMessage,
)
from pgwire.protocol.errors import ClientGone, FatalError, PgError, ProtocolViolation, error_fields
from pgwire.server.tls import server_context
from pgwire.server.watchdog import Watchdog
from pgwire.session.machine import Session, SessionConfig

logger = logging.getLogger(__name__)

READ_CHUNK_BYTES = 256 * 1024
SMALL_WRITE_BYTES = 256 * 1024
ACCEPT_POLL_S = 0.5  # how soon the accepting thread notices a shutdown
TLS_GOODBYE_S = 0.5
REFUSAL_WAIT_S = 0.2  # how long a refused client may take to send its startup packet
# accept() failures that pass (resources short for a moment, a client gone before its
# accept); any other means the listening socket itself is broken
TRANSIENT_ACCEPT_ERRNOS = frozenset(
    {
        errno.EMFILE,
        errno.ENFILE,
        errno.ENOBUFS,
        errno.ENOMEM,
        errno.ECONNABORTED,
        errno.EPROTO,
        errno.EPERM,
        errno.EAGAIN,
        errno.EINTR,
    }
)


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 15432
    tls_cert: str | None = None
    tls_key: str | None = None
    is_tls_enabled: bool = True
    max_connections: int = 256
    login_timeout_s: float = 30.0  # from accept to logged in, however the client trickles
    idle_timeout_s: float = 8 * 3600.0
    write_timeout_s: float = 300.0
    shutdown_grace_s: float = 30.0
    max_login_failures: int = 20
    login_failure_window_s: float = 60.0


class TooManyConnections(FatalError):
    sqlstate = "53300"


class ShuttingDown(FatalError):
    sqlstate = "57P01"


class LoginThrottled(FatalError):
    sqlstate = "28000"


class IdleInTransactionTimeout(FatalError):
    sqlstate = "25P03"


class LoginTimedOut(FatalError):
    sqlstate = "57014"


class LoginThrottle:
    """Refuses a peer address for a while after too many failed logins from it."""

    def __init__(self, max_failures: int, window_s: float) -> None:
        self._max_failures = max_failures
        self._window_s = window_s
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> list[float]:
        recent = [at for at in self._failures.get(address, []) if now - at < self._window_s]
        if recent:
            self._failures[address] = recent
        else:
            self._failures.pop(address, None)
        return recent

    def record_failure(self, address: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._failures[address] = [*self._recent(address, now), now]

    def is_blocked(self, address: str) -> bool:
        with self._lock:
            return len(self._recent(address, time.monotonic())) >= self._max_failures


class SocketSink:
    """The Session's output: small writes are gathered until `flush()`, large ones are sent
    at once; each send waits at most `write_timeout_s` for the client to take the bytes."""

    def __init__(self, connection: _Connection, write_timeout_s: float) -> None:
        self._connection = connection
        self._timeout_s = write_timeout_s
        self._buffer = bytearray()
        self.bytes_written = 0

    def write(self, data: bytes | memoryview) -> None:
        self.bytes_written += len(data)
        if len(data) >= SMALL_WRITE_BYTES:
            self.flush()
            self._connection.send(data, self._timeout_s)
            return
        self._buffer += data
        if len(self._buffer) >= SMALL_WRITE_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            data = bytes(self._buffer)
            self._buffer.clear()
            self._connection.send(data, self._timeout_s)


class WireServer:
    """One process, a thread per session. `start()` binds and accepts in the background;
    `close()` stops accepting and waits up to the grace period for running statements
    before closing every session."""

    def __init__(self, backend: Backend, options: ServerOptions) -> None:
        self.backend = backend
        self.options = options
        self.tls = (
            server_context(options.tls_cert, options.tls_key) if options.is_tls_enabled else None
        )
        self._sessions: dict[int, tuple[bytes, Session]] = {}
        self._lock = threading.Lock()
        self._next_pid = 1000 + secrets.randbelow(30000)
        self.mock_secret = secrets.token_bytes(32)
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._connections: dict[_Connection, threading.Thread] = {}
        self.throttle = LoginThrottle(options.max_login_failures, options.login_failure_window_s)
        self.watchdog = Watchdog(self._open_connections)
        self.is_closing = False
        self.has_failed = False  # the listener can no longer accept connections

    @property
    def port(self) -> int:
        assert self._listener is not None
        return int(self._listener.getsockname()[1])

    def start(self) -> None:
        self._listener = socket.create_server(
            (self.options.host, self.options.port), backlog=self.options.max_connections
        )
        self._listener.settimeout(ACCEPT_POLL_S)
        self._acceptor = threading.Thread(target=self._accept_all, name="pgwire-accept")
        self._acceptor.start()
        self.watchdog.start()
        logger.info("pgwire listening on %s:%s", self.options.host, self.port)

    def _accept_all(self) -> None:
        """Accept until closing; a broken listener (or a bug here) is logged and marks the
        server failed rather than leaving a process that accepts nothing."""
        try:
            self._accept_until_closed()
        except BaseException as error:
            logger.critical("pgwire can no longer accept connections", exc_info=error)
            self.has_failed = True

    def _accept_until_closed(self) -> None:
        assert self._listener is not None
        while not self.is_closing:
            try:
                sock, peer = self._listener.accept()
            except TimeoutError:
                continue
            except OSError as error:
                if error.errno not in TRANSIENT_ACCEPT_ERRNOS:
                    raise
                logger.warning("accept failed: %s", error)  # e.g. out of file descriptors
                time.sleep(0.1)
                continue
            self._start_session(sock, peer)

    def _start_session(self, sock: socket.socket, peer: object) -> None:
        """Serve the accepted socket on a thread of its own; when no thread can be
        started (RuntimeError: can't start new thread), refuse only this client."""
        try:
            connection = _Connection(self, sock, peer)
        except OSError:  # the client went away between accept and here
            sock.close()
            return
        thread = threading.Thread(target=connection.run, name="pgwire-session", daemon=True)
        with self._lock:
            self._connections[connection] = thread
        try:
            thread.start()
        except (RuntimeError, MemoryError) as error:
            self.forget(connection)
            logger.error("refusing a connection: no thread to serve it (%s)", error)
            connection.refuse(TooManyConnections("sorry, too many clients already"))

    def close(self) -> None:
        """Stop accepting; idle sessions end now, running statements may finish within
        the grace period; then everything left is closed."""
        self.is_closing = True
        if self._acceptor is not None:
            self._acceptor.join()
        self.watchdog.stop()
        if self._listener is not None:
            self._listener.close()
        for connection in self._open_connections():
            if not connection.is_busy:
                connection.wake()
        deadline = time.monotonic() + self.options.shutdown_grace_s
        self._join_connections(deadline)
        for connection in self._open_connections():
            connection.cut_off()
        self._join_connections(time.monotonic() + 5)

    def _open_connections(self) -> list[_Connection]:
        with self._lock:
            return list(self._connections)

    def _join_connections(self, deadline: float) -> None:
        with self._lock:
            threads = list(self._connections.values())
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def forget(self, connection: _Connection) -> None:
        with self._lock:
            self._connections.pop(connection, None)

    def register(self, session: Session) -> None:
        with self._lock:
            self._sessions[session.config.process_id] = (session.config.secret_key, session)

    def unregister(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.config.process_id, None)

    def new_identity(self) -> tuple[int, bytes]:
        with self._lock:
            self._next_pid += 1
            return self._next_pid, secrets.token_bytes(4)

    def cancel(self, request: CancelRequest) -> None:
        """Cancel the matching session's running statement; a wrong key is ignored."""
        with self._lock:
            entry = self._sessions.get(request.process_id)
        if entry is not None and secrets.compare_digest(entry[0], request.secret_key):
            entry[1].cancel()

    def is_full(self) -> bool:
        with self._lock:
            return len(self._connections) > self.options.max_connections


class _Connection:
    def __init__(self, server: WireServer, sock: socket.socket, peer: object) -> None:
        self.server = server
        self.sock = sock
        self.frames = FrameReader(max_message_bytes=MAX_SASL_MESSAGE_BYTES)
        self._login_deadline: float | None = time.monotonic() + server.options.login_timeout_s
        self.is_tls = False
        self.is_busy = False
        self.session: Session | None = None
        self._timeouts: dict[int, float] = {}  # SO_RCVTIMEO/SO_SNDTIMEO → seconds
        sock.setblocking(True)
        # answers go out as soon as they are written, not after the peer's delayed ACK
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # a BI tool's idle pooled connection behind a NAT must not vanish silently
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        self.address = str(peer[0]) if isinstance(peer, tuple) else "local"

    def login_deadline(self) -> float | None:
        """time.monotonic() by which the client must be logged in; None once it is."""
        return self._login_deadline

    def fileno(self) -> int:
        return self.sock.fileno()

    def cancel_statement(self) -> None:
        if self.session is not None:
            self.session.cancel()

    def refuse(self, error: PgError) -> None:
        """Answer a client this server cannot serve, from the accepting thread: take its
        startup packet if it comes at once (closing on unread bytes would reset the
        connection before the client read the answer), send `error`, close."""
        with contextlib.suppress(OSError):
            self.sock.settimeout(REFUSAL_WAIT_S)
            self.sock.recv(MAX_STARTUP_BYTES)
            self.sock.sendall(messages.error_response(error_fields(error)))
            self.sock.shutdown(socket.SHUT_WR)
        self.sock.close()

    def run(self) -> None:
        try:
            self._run()
        except TimeoutError:
            logger.info("closing a connection that stalled")
        except (OSError, ClientGone):
            pass
        finally:
            self.server.forget(self)
            self._close_socket()

    def _close_socket(self) -> None:
        """Close the socket; over TLS say goodbye first (close_notify), as a client
        such as libpq's cancel call reports an abrupt end as a failure."""
        if isinstance(self.sock, ssl.SSLSocket):
            with contextlib.suppress(OSError, ValueError):
                self.sock.settimeout(TLS_GOODBYE_S)
                self.sock.unwrap()
        self.sock.close()

    def _run(self) -> None:
        try:
            startup = self._negotiate()
        except FatalError as error:
            self.send_fatal(error)
            return
        if startup is None:
            return
        if self.server.throttle.is_blocked(self.address):
            self.send_fatal(LoginThrottled("too many failed login attempts; try again later"))
            return
        if self.server.is_full():
            self.send_fatal(TooManyConnections("sorry, too many clients already"))
            return
        process_id, secret_key = self.server.new_identity()
        sink = SocketSink(self, self.server.options.write_timeout_s)
        config = SessionConfig(
            process_id,
            secret_key,
            self.is_tls,
            self.server.mock_secret,
            on_login_failed=lambda: self.server.throttle.record_failure(self.address),
        )
        session = self.session = Session(self.server.backend, sink, config)
        self.server.register(session)
        try:
            self._serve(session, startup, sink)
        finally:
            self.server.unregister(session)
            session.close()

    def _serve(self, session: Session, startup: StartupMessage, sink: SocketSink) -> None:
        if not self._busy(session.start, startup):
            return
        self.frames.end_startup()
        while not self.server.is_closing:
            if session.phase == "ready":
                received = self._receive_when_ready(session)
            else:
                received = self._receive_before_login()
            if received is None:  # told the client why it ends
                return
            if not received:
                if self.server.is_closing:
                    break
                return
            self.frames.max_message_bytes = session.max_message_bytes()
            try:
                messages = list(self.frames.messages())
            except ProtocolViolation as error:
                _report(sink, error)
                return
            if not self._busy(_handle_all, session, messages):
                return
            if session.phase == "ready":
                self._login_deadline = None
        self.send_fatal(ShuttingDown("terminating connection due to server shutdown"))

    def _busy(self, function: Callable[..., bool], *args: object) -> bool:
        """Run session code; meanwhile the connection counts as busy (shutdown waits for
        it instead of cutting it off)."""
        self.is_busy = True
        try:
            return function(*args)
        finally:
            self.is_busy = False

    def _receive_when_ready(self, session: Session) -> bool | None:
        """Wait for the logged-in client's next bytes: False at end of stream, None when
        it stayed idle in a transaction for too long (and was told so)."""
        timeout_s = self.server.options.idle_timeout_s
        transaction_limit_s = session.idle_in_transaction_limit_s()
        try:
            return self._receive(min(timeout_s, transaction_limit_s or timeout_s))
        except TimeoutError:
            if transaction_limit_s is None or transaction_limit_s >= timeout_s:
                raise
        self.send_fatal(
            IdleInTransactionTimeout("terminating connection due to idle-in-transaction timeout")
        )
        return None

    def _receive_before_login(self) -> bool | None:
        """Wait for the client's next bytes within what is left of its login time: False
        at end of stream, None when the time ran out (and the client was told)."""
        try:
            return self._receive(self._login_time_left())
        except (TimeoutError, LoginTimedOut):
            self.send_fatal(LoginTimedOut("canceling authentication due to timeout"))
            return None

    def _login_time_left(self) -> float:
        """Seconds left to log in; raises LoginTimedOut when none are."""
        deadline = self._login_deadline
        left = deadline - time.monotonic() if deadline is not None else 0.0
        if left <= 0:
            raise LoginTimedOut("canceling authentication due to timeout")
        return left

    def _receive(self, timeout_s: float) -> bool:
        """Read what the client sent; False at end of stream."""
        self._use_timeout(socket.SO_RCVTIMEO, timeout_s)
        try:
            data = self.sock.recv(READ_CHUNK_BYTES)
        except ssl.SSLEOFError:
            return False
        except BlockingIOError as error:  # SO_RCVTIMEO ran out
            raise TimeoutError() from error
        if not data:
            return False
        self.frames.feed(data)
        return True

    def send(self, data: bytes | memoryview, timeout_s: float) -> None:
        try:
            self._use_timeout(socket.SO_SNDTIMEO, timeout_s)
            self.sock.sendall(data)
        except OSError as error:
            raise ClientGone() from error

    def _use_timeout(self, option: int, timeout_s: float) -> None:
        """A plain socket stays blocking with the kernel's own timeouts, set only when
        they change: Python's socket timeouts cost a poll() before every recv and send,
        and two ioctl() calls per change. TLS needs Python's: OpenSSL cannot go on with a
        read or write the kernel timed out."""
        if self.is_tls:
            self.sock.settimeout(timeout_s)
            return
        if self._timeouts.get(option) != timeout_s:
            seconds = int(timeout_s)
            value = struct.pack("ll", seconds, int((timeout_s - seconds) * 1_000_000))
            self.sock.setsockopt(socket.SOL_SOCKET, option, value)
            self._timeouts[option] = timeout_s

    def _negotiate(self) -> StartupMessage | None:
        """Answer SSLRequest/GSSENCRequest/CancelRequest until the StartupMessage arrives;
        None when the connection ends here. Raises LoginTimedOut when the login time ran
        out, ProtocolViolation for a malformed or oversized packet."""
        while True:
            packet = self.frames.next_startup_packet()
            if packet is None:
                try:
                    if not self._receive(self._login_time_left()):
                        return None
                except TimeoutError as error:
                    raise LoginTimedOut("canceling authentication due to timeout") from error
                continue
            if isinstance(packet, StartupMessage):
                return packet
            if isinstance(packet, CancelRequest):
                self.server.cancel(packet)
                return None
            if isinstance(packet, GSSENCRequest):
                self.send(b"N", self._login_time_left())
                continue
            if isinstance(packet, SSLRequest):
                self._answer_ssl_request(self._login_time_left())

    def _answer_ssl_request(self, timeout: float) -> None:
        tls = self.server.tls
        if self.frames.pending_bytes:
            # Bytes sent before the handshake would bypass TLS (CVE-2021-23222).
            raise ProtocolViolation("received unencrypted data after SSL request")
        if tls is None or self.is_tls:
            self.send(b"N", timeout)
            return
        self.send(b"S", timeout)
        self.sock.settimeout(timeout)
        self.sock = tls.wrap_socket(self.sock, server_side=True)
        self.is_tls = True

    def send_fatal(self, error: PgError) -> None:
        with contextlib.suppress(ClientGone):
            self.send(messages.error_response(error_fields(error)), 5.0)

    def wake(self) -> None:
        """End the wait for the client's next message (at shutdown); the answer side
        stays open for the goodbye. The plain socket's shutdown, as TLS's own would drop
        the encryption."""
        with contextlib.suppress(OSError):
            socket.socket.shutdown(self.sock, socket.SHUT_RD)

    def cut_off(self) -> None:
        """Stop whatever the connection still runs, and close it (grace period over)."""
        if self.session is not None:
            self.session.cancel()
        with contextlib.suppress(OSError):
            socket.socket.shutdown(self.sock, socket.SHUT_RDWR)


def _handle_all(session: Session, messages: list[Message]) -> bool:
    for message in messages:
        if not session.handle(message):
            session.sink.flush()
            return False
    session.sink.flush()
    return True


def _report(sink: SocketSink, error: PgError) -> bool:
    sink.write(messages.error_response(error_fields(error)))
    sink.flush()
    return False


def run_server(backend: Backend, options: ServerOptions) -> int:
    """Blocking entry point for `python -m pgwire`: serves until SIGTERM or Ctrl-C, then
    shuts down gracefully (running statements may finish within the grace period), and
    returns the process's exit status: 0, or 1 when the listener could no longer accept
    connections (the server then shut down so a supervisor can start a fresh one)."""
    server = WireServer(backend, options)
    server.start()
    # what start-up made (modules, Django, built-in catalog rows) lives as long as the
    # process: the collector's full passes need not walk it again and again
    gc.freeze()
    stop = threading.Event()

    def request_stop(signal_number: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {
        number: signal.signal(number, request_stop) for number in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        while not stop.wait(ACCEPT_POLL_S) and not server.has_failed:
            pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        server.close()
        logger.info("pgwire stopped")
    return 1 if server.has_failed else 0
