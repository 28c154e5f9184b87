"""Backend (server → client) messages of protocol v3, encoded to bytes. No I/O.

DataRow messages are not built here one by one: `data_rows.py` builds a whole batch of them
column-wise.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

_INT32 = struct.Struct("!i")


class TransactionStatus(StrEnum):
    IDLE = "I"
    IN_BLOCK = "T"
    FAILED = "E"


@dataclass(frozen=True)
class FieldDescription:
    name: str
    type_oid: int
    typlen: int
    typmod: int = -1
    format: int = 0
    table_oid: int = 0
    column_number: int = 0


def _message(type_byte: bytes, body: bytes) -> bytes:
    return type_byte + _INT32.pack(len(body) + 4) + body


def _cstring(text: str) -> bytes:
    return text.encode("utf-8") + b"\x00"


def authentication_ok() -> bytes:
    return _message(b"R", _INT32.pack(0))


def authentication_cleartext() -> bytes:
    return _message(b"R", _INT32.pack(3))


def authentication_sasl(mechanisms: Iterable[str]) -> bytes:
    body = b"".join(_cstring(name) for name in mechanisms) + b"\x00"
    return _message(b"R", _INT32.pack(10) + body)


def authentication_sasl_continue(data: bytes) -> bytes:
    return _message(b"R", _INT32.pack(11) + data)


def authentication_sasl_final(data: bytes) -> bytes:
    return _message(b"R", _INT32.pack(12) + data)


def parameter_status(name: str, value: str) -> bytes:
    return _message(b"S", _cstring(name) + _cstring(value))


def backend_key_data(process_id: int, secret_key: bytes) -> bytes:
    return _message(b"K", _INT32.pack(process_id) + secret_key)


def negotiate_protocol_version(newest_minor: int, unknown_options: Iterable[str]) -> bytes:
    options = list(unknown_options)
    body = _INT32.pack(newest_minor) + _INT32.pack(len(options))
    return _message(b"v", body + b"".join(_cstring(name) for name in options))


def ready_for_query(status: TransactionStatus) -> bytes:
    return b"Z\x00\x00\x00\x05" + status.encode("ascii")


def row_description(fields: Iterable[FieldDescription]) -> bytes:
    parts = []
    count = 0
    for field in fields:
        count += 1
        parts.append(_cstring(field.name))
        parts.append(
            struct.pack(
                "!IhIhih",
                field.table_oid,
                field.column_number,
                field.type_oid,
                field.typlen,
                field.typmod,
                field.format,
            )
        )
    return _message(b"T", struct.pack("!h", count) + b"".join(parts))


def parameter_description(type_oids: Iterable[int]) -> bytes:
    oids = list(type_oids)
    return _message(b"t", struct.pack(f"!h{len(oids)}I", len(oids), *oids))


def command_complete(tag: str) -> bytes:
    return _message(b"C", _cstring(tag))


def _fields_body(fields: Mapping[str, str]) -> bytes:
    parts = [code.encode("ascii") + _cstring(value) for code, value in fields.items()]
    return b"".join(parts) + b"\x00"


def error_response(fields: Mapping[str, str]) -> bytes:
    return _message(b"E", _fields_body(fields))


def notice_response(fields: Mapping[str, str]) -> bytes:
    return _message(b"N", _fields_body(fields))


PARSE_COMPLETE = b"1\x00\x00\x00\x04"
BIND_COMPLETE = b"2\x00\x00\x00\x04"
CLOSE_COMPLETE = b"3\x00\x00\x00\x04"
NO_DATA = b"n\x00\x00\x00\x04"
PORTAL_SUSPENDED = b"s\x00\x00\x00\x04"
EMPTY_QUERY_RESPONSE = b"I\x00\x00\x00\x04"
