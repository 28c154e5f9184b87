"""The asyncio server: accepts connections, negotiates TLS, routes CancelRequests, and
feeds each connection's messages to its `Session` in a worker thread.

Every wait on a peer has a timeout. Results are written batch by batch and the worker
thread waits for the socket to drain, so a slow reader holds back only its own query.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
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


class TooManyConnections(FatalError):
    sqlstate = "53300"


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

    def write(self, data: bytes | memoryview) -> None:
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
        self._tls = (
            server_context(options.tls_cert, options.tls_key) if options.is_tls_enabled else None
        )
        self._sessions: dict[int, tuple[bytes, Session]] = {}
        self._lock = threading.Lock()
        self._next_pid = 1000 + secrets.randbelow(30000)
        self._mock_secret = secrets.token_bytes(32)
        self._executor = ThreadPoolExecutor(
            max_workers=options.max_connections + 8, thread_name_prefix="pgwire-session"
        )
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._connections = 0

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, self.options.host, self.options.port, limit=READ_CHUNK_BYTES
        )
        logger.info("pgwire listening on %s:%s", self.options.host, self.port)

    async def serve_forever(self) -> None:
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=self.options.shutdown_grace_s)
        for task in list(self._tasks):
            task.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._connections += 1
        try:
            await _Connection(self, reader, writer).run()
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ClientGone):
            pass
        except TimeoutError:
            logger.info("closing a connection that stalled")
        finally:
            self._connections -= 1
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
        return self._connections > self.options.max_connections


class _Connection:
    def __init__(
        self, server: WireServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.frames = FrameReader()
        self.is_tls = False
        self.loop = asyncio.get_running_loop()

    async def _receive(self, timeout_s: float) -> None:
        data = await asyncio.wait_for(self.reader.read(READ_CHUNK_BYTES), timeout_s)
        if not data:
            raise ClientGone()
        self.frames.feed(data)

    async def run(self) -> None:
        try:
            startup = await self._negotiate()
        except ProtocolViolation as error:
            self._send_fatal(error)
            return
        if startup is None:
            return
        self.writer.transport.set_write_buffer_limits(
            high=WRITE_BUFFER_HIGH_BYTES, low=WRITE_BUFFER_LOW_BYTES
        )
        process_id, secret_key = self.server.new_identity()
        sink = ThreadSink(self.loop, self.writer, self.server.options.write_timeout_s)
        config = SessionConfig(process_id, secret_key, self.is_tls, self.server._mock_secret)
        session = Session(self.server.backend, sink, config)
        if self.server.is_full():
            self._send_fatal(TooManyConnections("sorry, too many clients already"))
            return
        self.server.register(session)
        try:
            await self._serve(session, startup, sink)
        finally:
            self.server.unregister(session)
            sink.is_closed = True
            await self.loop.run_in_executor(self.server._executor, session.close)

    async def _serve(self, session: Session, startup: StartupMessage, sink: ThreadSink) -> None:
        executor = self.server._executor
        if not await self.loop.run_in_executor(executor, session.start, startup):
            return
        self.frames.end_startup()
        while True:
            timeout = (
                self.server.options.idle_timeout_s
                if session.phase == "ready"
                else self.server.options.startup_timeout_s
            )
            await self._receive(timeout)
            try:
                messages = list(self.frames.messages())
            except ProtocolViolation as error:
                await self.loop.run_in_executor(executor, _report, sink, error)
                return
            if not await self.loop.run_in_executor(executor, _handle_all, session, messages):
                await asyncio.sleep(0)
                return

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
        tls = self.server._tls
        if self.frames.pending_bytes:
            # Bytes sent before the handshake would bypass TLS (CVE-2021-23222).
            raise ProtocolViolation("received unencrypted data after SSL request")
        if tls is None or self.is_tls:
            self.writer.write(b"N")
            return
        # The ClientHello must reach the TLS layer, not the plaintext stream buffer: stop
        # reading before the client can send it.
        self.writer.transport.pause_reading()
        self.writer.write(b"S")
        await asyncio.wait_for(self.writer.drain(), timeout)
        await asyncio.wait_for(self.writer.start_tls(tls), timeout)
        self.is_tls = True

    def _send_fatal(self, error: PgError) -> None:
        self.writer.write(replies.error_response(error_fields(error)))


def _handle_all(session: Session, messages: list[Message]) -> bool:
    for message in messages:
        if not session.handle(message):
            session.sink.flush()
            return False
    session.sink.flush()
    return True


def _report(sink: ThreadSink, error: PgError) -> None:
    sink.write(replies.error_response(error_fields(error)))
    sink.flush()


async def serve(
    backend: Backend,
    host: str = "127.0.0.1",
    port: int = 15432,
    tls_cert: str | None = None,
    tls_key: str | None = None,
) -> None:
    """Run the endpoint until cancelled."""
    server = WireServer(backend, ServerOptions(host, port, tls_cert, tls_key))
    await server.start()
    try:
        await server.serve_forever()
    finally:
        await server.close()


def run_server(
    backend: Backend,
    host: str = "127.0.0.1",
    port: int = 15432,
    tls_cert: str | None = None,
    tls_key: str | None = None,
) -> None:
    """Blocking entry point for `manage.py pgwire`; returns on Ctrl-C."""
    try:
        asyncio.run(serve(backend, host, port, tls_cert, tls_key))
    except KeyboardInterrupt:
        logger.info("pgwire stopped")
