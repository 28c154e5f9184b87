"""DuckDB exceptions → our errors.

DuckDB connections here are opened with `errors_as_json`, so a message is
`<Kind> Error: {"exception_type": …, "exception_message": …, "position": …}` whether it
arrives as a duckdb exception or, mid-stream, wrapped by Arrow as an OSError. The
position is a 0-based byte offset into the executed SQL.
"""

from __future__ import annotations

import json
import re

from connectors.errors import (
    ConnectorError,
    EngineError,
    QueryCancelled,
    QueryRefused,
    SqlSyntaxError,
    UndefinedFunction,
    UndefinedObject,
)

_JSON_PAYLOAD = re.compile(r"\{.*\}", re.DOTALL)

_BY_TYPE: dict[str, type[ConnectorError]] = {
    "Parser": SqlSyntaxError,
    "Syntax": SqlSyntaxError,
    "Catalog": UndefinedObject,
    "INTERRUPT": QueryCancelled,
    "Interrupt": QueryCancelled,
    "Permission": QueryRefused,
}

#: SQLSTATEs of engine errors that clients tell apart
_SQLSTATES: dict[str, str] = {
    "Binder": "42P18",
    "Conversion": "22018",
    "Out of Range": "22003",
    "Invalid Input": "22023",
    "Constraint": "23000",
    "Out of Memory": "53200",
    "Not implemented": "0A000",
    "Resource In Use": "55006",
}

#: PostgreSQL's SQLSTATEs for errors DuckDB files under a broader type: (type, words of
#: the message, SQLSTATE)
_MESSAGE_SQLSTATES: tuple[tuple[str, str, str], ...] = (
    ("Invalid Input", "division by zero", "22012"),
    ("Conversion", "out of range", "22003"),
    ("Conversion", "to decimal(", "22003"),
    ("Conversion", "could not convert string", "22P02"),
)

_MISSING_COLUMN_SUBTYPE = "COLUMN_NOT_FOUND"


def has_payload(error: Exception) -> bool:
    """Whether DuckDB reported `error` with its structured (JSON) details."""
    return _json_payload(str(error)) is not None


def translate_duckdb_error(error: Exception, sql: str, *, offset: int = 0) -> ConnectorError:
    """The ConnectorError for a DuckDB failure while running `sql`.

    Positions are 1-based character positions in `sql`; `offset` is the number of bytes
    the engine saw before `sql` (a prefix such as `EXPLAIN `).
    """
    text = str(error)
    payload = _json_payload(text)
    if payload is None:
        return EngineError(text)
    kind = str(payload.get("exception_type", ""))
    message = str(payload.get("exception_message", text))
    position = _char_position(sql, payload.get("position"), offset)
    if payload.get("error_subtype") == _MISSING_COLUMN_SUBTYPE:
        return EngineError(message, position=position, sqlstate="42703")
    if kind == "Catalog" and str(payload.get("type", "")).endswith("Function"):
        return UndefinedFunction(message, position=position)
    error_class = _BY_TYPE.get(kind)
    if error_class is not None:
        return error_class(message, position=position)
    return EngineError(message, position=position, sqlstate=_sqlstate(kind, message))


def _sqlstate(kind: str, message: str) -> str | None:
    lowered = message.lower()
    for message_kind, words, sqlstate in _MESSAGE_SQLSTATES:
        if kind == message_kind and words in lowered:
            return sqlstate
    return _SQLSTATES.get(kind)


def _json_payload(text: str) -> dict[str, object] | None:
    match = _JSON_PAYLOAD.search(text)
    if match is None:
        return None
    try:
        payload = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None


def _char_position(sql: str, byte_offset: object, offset: int) -> int | None:
    if not isinstance(byte_offset, str) or not byte_offset.isdigit():
        return None
    end = int(byte_offset) - offset
    if end < 0:
        return None
    return len(sql.encode()[:end].decode(errors="ignore")) + 1
