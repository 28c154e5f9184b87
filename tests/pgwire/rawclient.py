"""A minimal protocol-v3 client over a plain socket, for tests that must control every
byte (pipelining, malformed messages, portal suspension)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    type: bytes
    body: bytes

    @property
    def fields(self) -> dict[str, str]:
        """ErrorResponse/NoticeResponse fields."""
        fields = {}
        for part in self.body.split(b"\x00"):
            if part:
                fields[chr(part[0])] = part[1:].decode()
        return fields

    @property
    def tag(self) -> str:
        return self.body.rstrip(b"\x00").decode()


def message(type_byte: bytes, body: bytes) -> bytes:
    return type_byte + struct.pack("!i", len(body) + 4) + body


def cstring(text: str) -> bytes:
    return text.encode() + b"\x00"


def startup_packet(user: str, database: str) -> bytes:
    body = struct.pack("!i", 196608) + cstring("user") + cstring(user)
    body += cstring("database") + cstring(database) + b"\x00"
    return struct.pack("!i", len(body) + 4) + body


class RawClient:
    def __init__(self, port: int, timeout_s: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _read_exact(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read(self) -> Reply:
        header = self._read_exact(5)
        (length,) = struct.unpack("!i", header[1:])
        return Reply(header[:1], self._read_exact(length - 4))

    def read_until_ready(self) -> list[Reply]:
        replies = []
        while True:
            reply = self.read()
            replies.append(reply)
            if reply.type == b"Z":
                return replies

    def is_closed(self) -> bool:
        try:
            self.read()
        except (ConnectionError, OSError):
            return True
        return False

    def login(self, user: str, password: str, database: str = "demo") -> list[Reply]:
        """Startup and SCRAM-SHA-256; returns the replies up to ReadyForQuery."""
        self.send(startup_packet(user, database))
        request = self.read()
        assert request.type == b"R"
        if struct.unpack("!i", request.body[:4])[0] == 0:  # trust (the reference server)
            return self.read_until_ready()
        assert struct.unpack("!i", request.body[:4])[0] == 10
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = f"n=,r={nonce}"
        first = f"n,,{first_bare}".encode()
        self.send(message(b"p", cstring("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first))
        reply = self.read()
        server_first = reply.body[4:].decode()
        attributes = dict(part.split("=", 1) for part in server_first.split(","))
        salted = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), base64.b64decode(attributes["s"]), int(attributes["i"])
        )
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        without_proof = f"c=biws,r={attributes['r']}"
        auth_message = f"{first_bare},{server_first},{without_proof}".encode()
        signature = hmac.digest(hashlib.sha256(client_key).digest(), auth_message, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        final = f"{without_proof},p={base64.b64encode(proof).decode()}"
        self.send(message(b"p", final.encode()))
        return self.read_until_ready()

    def close(self) -> None:
        self.sock.close()


def query(sql: str) -> bytes:
    return message(b"Q", cstring(sql))


def parse(sql: str, name: str = "", oids: tuple[int, ...] = ()) -> bytes:
    body = cstring(name) + cstring(sql) + struct.pack(f"!h{len(oids)}I", len(oids), *oids)
    return message(b"P", body)


def bind(
    portal: str = "",
    statement: str = "",
    params: tuple[bytes | None, ...] = (),
    result_formats: tuple[int, ...] = (),
) -> bytes:
    body = cstring(portal) + cstring(statement) + struct.pack("!h", 0)
    body += struct.pack("!h", len(params))
    for param in params:
        body += struct.pack("!i", -1) if param is None else struct.pack("!i", len(param)) + param
    body += struct.pack(f"!h{len(result_formats)}h", len(result_formats), *result_formats)
    return message(b"B", body)


def describe(kind: str, name: str = "") -> bytes:
    return message(b"D", kind.encode() + cstring(name))


def execute(portal: str = "", max_rows: int = 0) -> bytes:
    return message(b"E", cstring(portal) + struct.pack("!i", max_rows))


def close(kind: str, name: str = "") -> bytes:
    return message(b"C", kind.encode() + cstring(name))


SYNC = message(b"S", b"")
FLUSH = message(b"H", b"")
TERMINATE = message(b"X", b"")
