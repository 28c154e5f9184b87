"""The one error hierarchy of the connectors package.

Every error carries what an interface needs to report it: a message for people, the
1-based character position in the SQL the user wrote (when known), a PostgreSQL SQLSTATE
(the wire endpoint sends it as is, the web app shows it) and whether retrying may help.
"""

from __future__ import annotations

import copy


class ConnectorError(Exception):
    sqlstate = "XX000"
    retryable = False

    def __init__(self, message: str, *, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def with_position(self, position: int | None) -> ConnectorError:
        """Return the same error re-pointed at `position` (the user's text, 1-based)."""
        clone = copy.copy(self)
        clone.position = position
        return clone


class SqlSyntaxError(ConnectorError):
    sqlstate = "42601"


class QueryRefused(ConnectorError):
    """The statement is of a kind, or reads something, that this path never runs."""

    sqlstate = "42501"


class ParameterError(ConnectorError):
    """A query parameter is missing, of the wrong type or outside its allowed values."""

    sqlstate = "22023"


class UndefinedObject(ConnectorError):
    """A table, schema or column the statement names does not exist (or is not visible)."""

    sqlstate = "42P01"


class UndefinedFunction(UndefinedObject):
    """A function the statement calls does not exist (for these argument types)."""

    sqlstate = "42883"


class EngineError(ConnectorError):
    """The engine refused or failed the statement; the message is the engine's own."""

    sqlstate = "XX000"

    def __init__(
        self, message: str, *, position: int | None = None, sqlstate: str | None = None
    ) -> None:
        super().__init__(message, position=position)
        if sqlstate:
            self.sqlstate = sqlstate


class LimitExceeded(ConnectorError):
    """A per-data-source limit (rows, bytes) was crossed; the message names which."""

    sqlstate = "54000"


class StatementTooComplex(ConnectorError):
    """The statement nests deeper than it can be analysed (parentheses, subqueries)."""

    sqlstate = "54001"


class QueryCancelled(ConnectorError):
    sqlstate = "57014"


class QueryTimeout(QueryCancelled):
    """Cancelled because the data source's timeout ran out."""


class ConnectionFailed(ConnectorError):
    """The engine could not be reached or the connection broke; worth a retry."""

    sqlstate = "08006"
    retryable = True
