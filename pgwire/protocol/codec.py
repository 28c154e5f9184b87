"""Frontend message framing and parsing for protocol v3. No I/O.

`FrameReader` is fed raw bytes and yields parsed messages. Before the StartupMessage the
frames have no type byte (startup phase); afterwards every frame is a type byte and an
Int32 length. A frame that is malformed, too long or of an unknown type raises
`ProtocolViolation` (SQLSTATE 08P01); the server reports it and closes the connection.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pgwire.protocol.errors import ProtocolViolation

PROTOCOL_3_0 = 196608
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102

# PostgreSQL's limits (length word included): a startup packet, then while authenticating
# a password message (PG_MAX_AUTH_TOKEN_LENGTH) or a SASL message
# (PG_MAX_SASL_MESSAGE_LENGTH); only a logged-in session may send MAX_MESSAGE_BYTES
MAX_STARTUP_BYTES = 10_000
MAX_PASSWORD_MESSAGE_BYTES = 65_535
MAX_SASL_MESSAGE_BYTES = 1_024
MAX_MESSAGE_BYTES = 256 * 1024 * 1024

_INT16 = struct.Struct("!h")
_UINT16 = struct.Struct("!H")
_INT32 = struct.Struct("!i")
_HEADER = struct.Struct("!ci")


# -- startup-phase packets -------------------------------------------------------------


@dataclass(frozen=True)
class StartupMessage:
    protocol: int
    parameters: dict[str, str]


@dataclass(frozen=True)
class SSLRequest:
    pass


@dataclass(frozen=True)
class GSSENCRequest:
    pass


@dataclass(frozen=True)
class CancelRequest:
    process_id: int
    secret_key: bytes


# -- regular messages ------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    sql: str


@dataclass(frozen=True)
class Parse:
    name: str
    sql: str
    param_oids: tuple[int, ...]


@dataclass(frozen=True)
class Bind:
    portal: str
    statement: str
    param_formats: tuple[int, ...]
    params: tuple[bytes | None, ...]
    result_formats: tuple[int, ...]


@dataclass(frozen=True)
class Describe:
    kind: str  # "S" statement | "P" portal
    name: str


@dataclass(frozen=True)
class Execute:
    portal: str
    max_rows: int


@dataclass(frozen=True)
class Close:
    kind: str  # "S" | "P"
    name: str


@dataclass(frozen=True)
class Sync:
    pass


@dataclass(frozen=True)
class Flush:
    pass


@dataclass(frozen=True)
class Terminate:
    pass


@dataclass(frozen=True)
class AuthData:
    """PasswordMessage, SASLInitialResponse and SASLResponse share the type byte `p`;
    which one it is depends on the authentication state, so the payload stays raw."""

    payload: bytes


@dataclass(frozen=True)
class CopyFail:
    message: str


@dataclass(frozen=True)
class CopyData:
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class CopyDone:
    pass


@dataclass(frozen=True)
class FunctionCall:
    pass


StartupPacket = StartupMessage | SSLRequest | GSSENCRequest | CancelRequest
Message = (
    Query
    | Parse
    | Bind
    | Describe
    | Execute
    | Close
    | Sync
    | Flush
    | Terminate
    | AuthData
    | CopyFail
    | CopyData
    | CopyDone
    | FunctionCall
)


class _Body:
    """A cursor over one message body; every read checks bounds."""

    __slots__ = ("data", "offset")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def _take(self, count: int) -> bytes:
        end = self.offset + count
        if count < 0 or end > len(self.data):
            raise ProtocolViolation("invalid message format")
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def int16(self) -> int:
        return int(_INT16.unpack(self._take(2))[0])

    def uint16(self) -> int:
        return int(_UINT16.unpack(self._take(2))[0])

    def int32(self) -> int:
        return int(_INT32.unpack(self._take(4))[0])

    def uint32(self) -> int:
        return int(struct.unpack("!I", self._take(4))[0])

    def byte(self) -> str:
        return self._take(1).decode("latin-1")

    def cstring(self) -> str:
        end = self.data.find(b"\x00", self.offset)
        if end < 0:
            raise ProtocolViolation("invalid string in message")
        raw = self.data[self.offset : end]
        self.offset = end + 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolViolation('invalid byte sequence for encoding "UTF8"') from error

    def rest(self) -> bytes:
        chunk = self.data[self.offset :]
        self.offset = len(self.data)
        return chunk

    def bytes_(self, count: int) -> bytes:
        return self._take(count)

    def end(self) -> None:
        if self.offset != len(self.data):
            raise ProtocolViolation("invalid message format")


def parse_startup_packet(body: bytes) -> StartupPacket:
    """Parse a startup-phase packet body (without its length word)."""
    reader = _Body(body)
    code = reader.int32()
    if code == SSL_REQUEST:
        reader.end()
        return SSLRequest()
    if code == GSSENC_REQUEST:
        reader.end()
        return GSSENCRequest()
    if code == CANCEL_REQUEST:
        process_id = reader.int32()
        key = reader.rest()
        if not 4 <= len(key) <= 256:
            raise ProtocolViolation("invalid cancel request")
        return CancelRequest(process_id, key)
    if code >> 16 != 3:
        raise ProtocolViolation(
            f"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}: "
            "server supports 3.0 to 3.0"
        )
    parameters: dict[str, str] = {}
    while True:
        name = reader.cstring()
        if not name:
            break
        parameters[name] = reader.cstring()
    reader.end()
    return StartupMessage(code, parameters)


def _parse_query(body: _Body) -> Query:
    sql = body.cstring()
    body.end()
    return Query(sql)


def _parse_parse(body: _Body) -> Parse:
    name = body.cstring()
    sql = body.cstring()
    count = body.int16()
    if count < 0:
        raise ProtocolViolation("invalid parameter count")
    oids = tuple(body.uint32() for _ in range(count))
    body.end()
    return Parse(name, sql, oids)


def _parse_bind(body: _Body) -> Bind:
    portal = body.cstring()
    statement = body.cstring()
    formats = tuple(body.int16() for _ in range(_count(body)))
    params: list[bytes | None] = []
    for _ in range(_count(body)):
        length = body.int32()
        if length < -1:
            raise ProtocolViolation("invalid parameter length")
        params.append(None if length == -1 else body.bytes_(length))
    results = tuple(body.int16() for _ in range(_count(body)))
    body.end()
    if any(code not in (0, 1) for code in formats + results):
        raise ProtocolViolation("unsupported format code")
    return Bind(portal, statement, formats, tuple(params), results)


def _count(body: _Body) -> int:
    count = body.int16()
    if count < 0:
        raise ProtocolViolation("invalid count in message")
    return count


def _parse_describe(body: _Body) -> Describe:
    kind = body.byte()
    name = body.cstring()
    body.end()
    if kind not in ("S", "P"):
        raise ProtocolViolation(f"invalid DESCRIBE message subtype {ord(kind)}")
    return Describe(kind, name)


def _parse_execute(body: _Body) -> Execute:
    portal = body.cstring()
    max_rows = body.int32()
    body.end()
    return Execute(portal, max_rows if max_rows > 0 else 0)


def _parse_close(body: _Body) -> Close:
    kind = body.byte()
    name = body.cstring()
    body.end()
    if kind not in ("S", "P"):
        raise ProtocolViolation(f"invalid CLOSE message subtype {ord(kind)}")
    return Close(kind, name)


def _parse_empty(factory: Callable[[], Message]) -> Callable[[_Body], Message]:
    def parse(body: _Body) -> Message:
        body.end()
        return factory()

    return parse


def _parse_copy_fail(body: _Body) -> CopyFail:
    return CopyFail(body.cstring())


_PARSERS: dict[bytes, Callable[[_Body], Message]] = {
    b"Q": _parse_query,
    b"P": _parse_parse,
    b"B": _parse_bind,
    b"D": _parse_describe,
    b"E": _parse_execute,
    b"C": _parse_close,
    b"S": _parse_empty(Sync),
    b"H": _parse_empty(Flush),
    b"X": _parse_empty(Terminate),
    b"p": lambda body: AuthData(body.rest()),
    b"f": _parse_copy_fail,
    b"d": lambda body: CopyData(body.rest()),
    b"c": _parse_empty(CopyDone),
    b"F": lambda body: FunctionCall(),
}


def parse_message(type_byte: bytes, body: bytes) -> Message:
    """Parse one typed frontend message body (without type byte and length word)."""
    parser = _PARSERS.get(type_byte)
    if parser is None:
        raise ProtocolViolation(f"invalid frontend message type {type_byte[0]}")
    return parser(_Body(body))


class FrameReader:
    """Cuts a byte stream into frontend messages.

    `feed()` appends received bytes; iterating `messages()` yields every complete message
    received so far. Call `end_startup()` once the StartupMessage has been handled, after
    which frames carry type bytes. A frame announcing more than `max_message_bytes` is
    refused as soon as its length word arrives; a body is only ever as large as the bytes
    received, never allocated at the announced length.
    """

    def __init__(self, *, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = bytearray()
        self._offset = 0
        self._in_startup = True
        self.max_message_bytes = max_message_bytes

    @property
    def in_startup(self) -> bool:
        return self._in_startup

    @property
    def pending_bytes(self) -> int:
        return len(self._buffer) - self._offset

    def end_startup(self) -> None:
        self._in_startup = False

    def feed(self, data: bytes) -> None:
        if self._offset:
            del self._buffer[: self._offset]
            self._offset = 0
        self._buffer += data

    def next_startup_packet(self) -> StartupPacket | None:
        """The next startup-phase packet, or None until it is complete."""
        available = len(self._buffer) - self._offset
        if available < 4:
            return None
        (length,) = _INT32.unpack_from(self._buffer, self._offset)
        if not 8 <= length <= MAX_STARTUP_BYTES:
            raise ProtocolViolation("invalid length of startup packet")
        if available < length:
            return None
        start = self._offset + 4
        body = bytes(self._buffer[start : self._offset + length])
        self._offset += length
        return parse_startup_packet(body)

    def messages(self) -> Iterator[Message]:
        """Yield every complete typed message in the buffer."""
        buffer = self._buffer
        while True:
            available = len(buffer) - self._offset
            if available < 5:
                return
            type_byte, length = _HEADER.unpack_from(buffer, self._offset)
            if length < 4 or length > self.max_message_bytes:
                raise ProtocolViolation("invalid message length")
            if available < length + 1:
                return
            start = self._offset + 5
            end = self._offset + 1 + length
            body = bytes(buffer[start:end])
            self._offset = end
            yield parse_message(type_byte, body)
