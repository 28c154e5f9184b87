"""Adversity: malformed and oversized messages, plaintext after SSLRequest, clients that
stop reading or vanish mid-result. The server answers with 08P01 where it can, drops
only the offending connection, and keeps serving everyone else."""

from __future__ import annotations

import socket
import struct
import time

import psycopg
import pytest

from tests.pgwire.conftest import PASSWORD, RunningServer
from tests.pgwire.rawclient import RawClient, message, query, startup_packet


def _server_still_serves(wire: RunningServer) -> None:
    with psycopg.connect(wire.dsn(), autocommit=True, connect_timeout=10) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00\x00\x00\x03",  # startup length below the minimum
        b"\xff\xff\xff\xff" + b"x" * 20,  # negative length
        struct.pack("!ii", 8, 12345678),  # unknown protocol code
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40,  # a bare TLS hello
    ],
)
def test_garbage_before_startup_is_refused(wire: RunningServer, garbage: bytes) -> None:
    client = RawClient(wire.port)
    client.send(garbage)
    replies = []
    try:
        while True:
            replies.append(client.read())
    except (ConnectionError, OSError):
        pass
    assert all(reply.type == b"E" for reply in replies)
    if replies:
        assert replies[0].fields["C"] == "08P01"
    client.close()
    _server_still_serves(wire)


@pytest.mark.parametrize(
    "bad",
    [
        message(b"Q", b"SELECT 1"),  # no terminating NUL
        b"Q" + struct.pack("!i", 2**30) + b"SELECT",  # far over the size limit
        message(b"!", b""),  # unknown message type
        message(b"B", b"\x00\x00\xff\xff"),  # negative count
        message(b"D", b"Xname\x00"),  # unknown Describe kind
    ],
)
def test_malformed_message_after_login_closes_only_that_connection(
    wire: RunningServer, bad: bytes
) -> None:
    client = RawClient(wire.port)
    client.login("ann", PASSWORD)
    client.send(bad)
    reply = client.read()
    assert reply.type == b"E" and reply.fields["C"] == "08P01" and reply.fields["S"] == "FATAL"
    assert client.is_closed()
    _server_still_serves(wire)


def test_plaintext_after_ssl_request_is_rejected(wire: RunningServer) -> None:
    client = RawClient(wire.port)
    client.send(struct.pack("!ii", 8, 80877103) + startup_packet("ann", "demo"))
    reply = client.read()
    assert reply.type == b"E" and reply.fields["C"] == "08P01"
    client.close()


def test_gssenc_request_is_declined_then_startup_continues(wire: RunningServer) -> None:
    client = RawClient(wire.port)
    client.send(struct.pack("!ii", 8, 80877104))
    assert client.sock.recv(1) == b"N"
    replies = client.login("ann", PASSWORD)
    assert replies[-1].type == b"Z"
    client.close()


def test_a_slow_reader_does_not_hold_back_other_sessions(wire: RunningServer) -> None:
    slow = socket.create_connection(("127.0.0.1", wire.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client = RawClient.__new__(RawClient)
    client.sock, client.buffer = slow, b""
    client.login("ann", PASSWORD)
    client.send(query("SELECT * FROM big, (VALUES (1), (2), (3)) t(x)"))
    time.sleep(0.5)  # the server is now blocked on this client's full socket
    for _ in range(5):
        _server_still_serves(wire)  # each within its connect timeout
    slow.close()


def test_a_client_vanishing_mid_result_frees_its_session(wire: RunningServer) -> None:
    ended_before = len(wire.backend.ended_sessions)
    client = RawClient(wire.port)
    client.login("ann", PASSWORD)
    client.send(query("SELECT * FROM big"))
    client.read()
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    deadline = time.monotonic() + 20
    while len(wire.backend.ended_sessions) == ended_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(wire.backend.ended_sessions) > ended_before
    _server_still_serves(wire)
