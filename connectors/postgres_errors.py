"""psycopg errors → our errors, keeping PostgreSQL's SQLSTATE and position."""

from __future__ import annotations

import psycopg

from connectors.errors import (
    ConnectionFailed,
    ConnectorError,
    EngineError,
    QueryRefused,
    SqlSyntaxError,
    UndefinedObject,
)

_BY_SQLSTATE: dict[str, type[ConnectorError]] = {
    "42601": SqlSyntaxError,
    "42P01": UndefinedObject,
    "3F000": UndefinedObject,
    "25006": QueryRefused,  # read_only_sql_transaction
    "42501": QueryRefused,  # insufficient_privilege
}

_CONNECTION_CLASS = "08"


def translate_postgres_error(error: psycopg.Error, *, offset: int = 0) -> ConnectorError:
    """The ConnectorError for `error`; its position (1-based) has `offset` characters of
    our own prefix (a DECLARE … FOR) taken off. Cancellation is not decided here: the
    caller knows whether it asked for it."""
    message = error.diag.message_primary or str(error)
    sqlstate = error.sqlstate
    if sqlstate is None or sqlstate.startswith(_CONNECTION_CLASS):
        return ConnectionFailed(message)
    position = _position(error.diag.statement_position, offset)
    error_class = _BY_SQLSTATE.get(sqlstate)
    if error_class is not None:
        translated = error_class(message, position=position)
        translated.sqlstate = sqlstate
        return translated
    return EngineError(message, position=position, sqlstate=sqlstate)


def _position(reported: str | None, offset: int) -> int | None:
    if reported is None or not reported.isdigit() or int(reported) <= offset:
        return None
    return int(reported) - offset
