"""The one error hierarchy of the wire endpoint.

Errors are raised where they happen and turned into ErrorResponse fields in exactly one
place, `error_fields`. Engine and governance errors (connectors.errors.ConnectorError)
already carry a SQLSTATE and a position and are translated there as well.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from connectors.errors import ConnectorError
from connectors.sql.parse import too_complex

logger = logging.getLogger(__name__)


class Severity(StrEnum):
    ERROR = "ERROR"
    FATAL = "FATAL"


class PgError(Exception):
    """An error reported to the client as an ErrorResponse."""

    sqlstate = "XX000"
    severity = Severity.ERROR

    def __init__(
        self,
        message: str,
        *,
        sqlstate: str | None = None,
        position: int | None = None,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.detail = detail
        self.hint = hint
        if sqlstate:
            self.sqlstate = sqlstate


class FatalError(PgError):
    """Reported with severity FATAL; the server closes the connection afterwards."""

    severity = Severity.FATAL


class ProtocolViolation(FatalError):
    sqlstate = "08P01"


class AuthenticationFailed(FatalError):
    sqlstate = "28P01"


class AuthorizationRefused(FatalError):
    """The login itself is not allowed (e.g. a method that needs TLS)."""

    sqlstate = "28000"


class UnknownDatabase(FatalError):
    sqlstate = "3D000"


class FeatureNotSupported(PgError):
    sqlstate = "0A000"


class SyntaxError_(PgError):
    sqlstate = "42601"


class InvalidParameterValue(PgError):
    sqlstate = "22023"


class UndefinedParameter(PgError):
    """An unknown run-time parameter (SET/SHOW of a name we do not know)."""

    sqlstate = "42704"


class InvalidCursorName(PgError):
    sqlstate = "34000"


class InvalidStatementName(PgError):
    sqlstate = "26000"


class DuplicateCursor(PgError):
    sqlstate = "42P03"


class DuplicateStatement(PgError):
    sqlstate = "42P05"


class InFailedTransaction(PgError):
    sqlstate = "25P02"

    def __init__(self) -> None:
        super().__init__(
            "current transaction is aborted, commands ignored until end of transaction block"
        )


class NoActiveTransaction(PgError):
    sqlstate = "25P01"


class InvalidBinaryRepresentation(PgError):
    sqlstate = "22P03"


class InvalidTextRepresentation(PgError):
    sqlstate = "22P02"


class QueryCanceled(PgError):
    sqlstate = "57014"


class ClientGone(Exception):
    """The peer closed the connection or stopped reading for too long; not reported."""


def error_fields(error: BaseException) -> dict[str, str]:
    """The ErrorResponse fields (one-letter codes) that report `error` to the client.

    Errors outside both hierarchies are bugs: they are logged with their traceback and
    reported as XX000 without internals — except a RecursionError, which only says that
    some pass met a statement nested deeper than it can walk (54001).
    """
    if isinstance(error, RecursionError):
        error = too_complex()
    if isinstance(error, PgError):
        fields = {"S": error.severity, "V": error.severity, "C": error.sqlstate}
        fields["M"] = error.message
        if error.detail:
            fields["D"] = error.detail
        if error.hint:
            fields["H"] = error.hint
        position = error.position
    elif isinstance(error, ConnectorError):
        fields = {"S": "ERROR", "V": "ERROR", "C": error.sqlstate, "M": error.message}
        position = error.position
    else:
        logger.error("internal error in a wire session", exc_info=error)
        return {"S": "ERROR", "V": "ERROR", "C": "XX000", "M": "internal error"}
    if position:
        fields["P"] = str(position)
    return fields


def is_fatal(error: BaseException) -> bool:
    return isinstance(error, FatalError)
