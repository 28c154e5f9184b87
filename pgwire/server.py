"""The asyncio server: accepts connections, negotiates TLS, routes CancelRequests, and
feeds each connection's messages to its `Session` in a worker thread.

Every wait on a peer has a timeout. Results are written batch by batch and the worker
thread waits for the socket to drain, so a slow reader holds back only its own query.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pgwire import replies
from pgwire.codec import (
    CancelRequest,
    FrameReader,
    GSSENCRequest,
    Message,
    SSLRequest,
    StartupMessage,
)
from pgwire.errors import ClientGone, FatalError, PgError, ProtocolViolation, error_fields
from pgwire.ports import Backend
from pgwire.session import Session, SessionConfig
from pgwire.tls import server_context

logger = logging.getLogger(__name__)

READ_CHUNK_BYTES = 256 * 1024
SMALL_WRITE_BYTES = 256 * 1024
# Encoding the next batch overlaps with the client reading this one only if drain() lets
# the worker go on while a few batches are still queued in the transport.
WRITE_BUFFER_HIGH_BYTES = 8 * 1024 * 1024
WRITE_BUFFER_LOW_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 15432
    tls_cert: str | None = None
    tls_key: str | None = None
    is_tls_enabled: bool = True
    max_connections: int = 256
    startup_timeout_s: float = 30.0
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


class ThreadSink:
    """The Session's output, written from its worker thread into the event loop.

    Small writes are buffered and handed to the transport without waiting; large ones
    wait until the socket drained (back-pressure), at most `write_timeout_s`.
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, writer: asyncio.StreamWriter, write_timeout_s: float
    ) -> None:
        self._loop = loop
        self._writer = writer
        self._timeout_s = write_timeout_s
        self._buffer = bytearray()
        self.is_closed = False
        self.bytes_written = 0

    def write(self, data: bytes | memoryview) -> None:
        self.bytes_written += len(data)
        if len(data) >= SMALL_WRITE_BYTES:
            self.flush()
            self._send_and_drain(data)
            return
        self._buffer += data
        if len(self._buffer) >= SMALL_WRITE_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        data = bytes(self._buffer)
        self._buffer.clear()
        if self.is_closed or self._writer.is_closing():
            raise ClientGone()
        self._loop.call_soon_threadsafe(self._writer.write, data)

    def _send_and_drain(self, data: bytes | memoryview) -> None:
        if self.is_closed or self._writer.is_closing():
            raise ClientGone()
        future = asyncio.run_coroutine_threadsafe(self._write_drained(data), self._loop)
        try:
            future.result(self._timeout_s)
        except (ConnectionError, OSError, TimeoutError) as error:
            future.cancel()
            raise ClientGone() from error

    async def _write_drained(self, data: bytes | memoryview) -> None:
        self._writer.write(data)
        await self._writer.drain()


class WireServer:
    """One process, many sessions. `start()` binds; `close()` stops accepting and waits
    up to the grace period for running sessions before closing them."""

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
        self.executor = ThreadPoolExecutor(
            max_workers=options.max_connections + 8, thread_name_prefix="pgwire-session"
        )
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._connections: dict[asyncio.Task[None], _Connection] = {}
        self.throttle = LoginThrottle(options.max_login_failures, options.login_failure_window_s)
        self.is_closing = False

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, self.options.host, self.options.port, limit=READ_CHUNK_BYTES
        )
        logger.info("pgwire listening on %s:%s", self.options.host, self.port)

    async def close(self) -> None:
        """Stop accepting; idle sessions end now, running statements may finish within
        the grace period; then everything left is closed."""
        self.is_closing = True
        if self._server is not None:
            self._server.close()
        for task, connection in list(self._connections.items()):
            if not connection.is_busy:
                task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=self.options.shutdown_grace_s)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        connection = self._connections[task] = _Connection(self, reader, writer)
        try:
            await connection.run()
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ClientGone):
            pass
        except TimeoutError:
            logger.info("closing a connection that stalled")
        except asyncio.CancelledError:
            if not self.is_closing:
                raise
            connection.send_fatal(ShuttingDown("terminating connection due to server shutdown"))
        finally:
            self._connections.pop(task, None)
            self._tasks.discard(task)
            writer.close()

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
        return len(self._connections) > self.options.max_connections


class _Connection:
    def __init__(
        self, server: WireServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.frames = FrameReader()
        self.is_tls = False
        self.is_busy = False
        self.loop = asyncio.get_running_loop()
        sock = writer.get_extra_info("socket")
        if sock is not None:
            # a BI tool's idle pooled connection behind a NAT must not vanish silently
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        peer = writer.get_extra_info("peername")
        self.address = str(peer[0]) if isinstance(peer, tuple) else "local"

    async def _receive(self, timeout_s: float) -> None:
        data = await asyncio.wait_for(self.reader.read(READ_CHUNK_BYTES), timeout_s)
        if not data:
            raise ClientGone()
        self.frames.feed(data)

    async def run(self) -> None:
        try:
            startup = await self._negotiate()
        except ProtocolViolation as error:
            self.send_fatal(error)
            return
        if startup is None:
            return
        if self.server.throttle.is_blocked(self.address):
            self.send_fatal(LoginThrottled("too many failed login attempts; try again later"))
            return
        self.writer.transport.set_write_buffer_limits(
            high=WRITE_BUFFER_HIGH_BYTES, low=WRITE_BUFFER_LOW_BYTES
        )
        process_id, secret_key = self.server.new_identity()
        sink = ThreadSink(self.loop, self.writer, self.server.options.write_timeout_s)
        config = SessionConfig(
            process_id,
            secret_key,
            self.is_tls,
            self.server.mock_secret,
            on_login_failed=lambda: self.server.throttle.record_failure(self.address),
        )
        session = Session(self.server.backend, sink, config)
        if self.server.is_full():
            self.send_fatal(TooManyConnections("sorry, too many clients already"))
            return
        self.server.register(session)
        try:
            await self._serve(session, startup, sink)
        finally:
            self.server.unregister(session)
            sink.is_closed = True
            await self.loop.run_in_executor(self.server.executor, session.close)

    async def _serve(self, session: Session, startup: StartupMessage, sink: ThreadSink) -> None:
        if not await self._in_worker(session.start, startup):
            return
        self.frames.end_startup()
        while not self.server.is_closing:
            timeout = (
                self.server.options.idle_timeout_s
                if session.phase == "ready"
                else self.server.options.startup_timeout_s
            )
            await self._receive(timeout)
            try:
                messages = list(self.frames.messages())
            except ProtocolViolation as error:
                await self._in_worker(_report, sink, error)
                return
            if not await self._in_worker(_handle_all, session, messages):
                return
        self.send_fatal(ShuttingDown("terminating connection due to server shutdown"))

    async def _in_worker(self, function: Callable[..., bool | None], *args: object) -> bool:
        """Run session code in a worker thread; the connection counts as busy meanwhile
        (shutdown waits for it instead of cutting it off)."""
        self.is_busy = True
        try:
            return bool(await self.loop.run_in_executor(self.server.executor, function, *args))
        finally:
            self.is_busy = False

    async def _negotiate(self) -> StartupMessage | None:
        """Answer SSLRequest/GSSENCRequest/CancelRequest until the StartupMessage arrives;
        None when the connection ends here."""
        timeout = self.server.options.startup_timeout_s
        while True:
            packet = self.frames.next_startup_packet()
            if packet is None:
                await self._receive(timeout)
                continue
            if isinstance(packet, StartupMessage):
                return packet
            if isinstance(packet, CancelRequest):
                self.server.cancel(packet)
                return None
            if isinstance(packet, GSSENCRequest):
                self.writer.write(b"N")
                continue
            if isinstance(packet, SSLRequest):
                await self._answer_ssl_request(timeout)

    async def _answer_ssl_request(self, timeout: float) -> None:
        tls = self.server.tls
        if self.frames.pending_bytes:
            # Bytes sent before the handshake would bypass TLS (CVE-2021-23222).
            raise ProtocolViolation("received unencrypted data after SSL request")
        if tls is None or self.is_tls:
            self.writer.write(b"N")
            return
        # The ClientHello must reach the TLS layer, not the plaintext stream buffer: stop
        # reading before the client can send it.
        transport = self.writer.transport
        assert isinstance(transport, asyncio.ReadTransport)
        transport.pause_reading()
        self.writer.write(b"S")
        await asyncio.wait_for(self.writer.drain(), timeout)
        await asyncio.wait_for(self.writer.start_tls(tls), timeout)
        self.is_tls = True

    def send_fatal(self, error: PgError) -> None:
        self.writer.write(replies.error_response(error_fields(error)))


def _handle_all(session: Session, messages: list[Message]) -> bool:
    for message in messages:
        if not session.handle(message):
            session.sink.flush()
            return False
    session.sink.flush()
    return True


def _report(sink: ThreadSink, error: PgError) -> bool:
    sink.write(replies.error_response(error_fields(error)))
    sink.flush()
    return False


async def serve(
    backend: Backend,
    host: str = "127.0.0.1",
    port: int = 15432,
    tls_cert: str | None = None,
    tls_key: str | None = None,
) -> None:
    """Run the endpoint until cancelled or sent SIGTERM/SIGINT; then shut down gracefully
    (running statements may finish within the grace period)."""
    server = WireServer(backend, ServerOptions(host, port, tls_cert, tls_key))
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    try:
        await stop.wait()
    finally:
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signal_number)
        await server.close()
        logger.info("pgwire stopped")


def run_server(
    backend: Backend,
    host: str = "127.0.0.1",
    port: int = 15432,
    tls_cert: str | None = None,
    tls_key: str | None = None,
) -> None:
    """Blocking entry point for `manage.py pgwire`; returns after SIGTERM or Ctrl-C."""
    asyncio.run(serve(backend, host, port, tls_cert, tls_key))
