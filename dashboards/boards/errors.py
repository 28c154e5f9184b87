"""The errors of dashboards, visualizations and sharing; each names the field at fault so
the API and the pages can point at it."""

from __future__ import annotations


class BoardError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class FilterValueError(BoardError):
    """A dashboard filter value that is malformed, not among the filter's options, or not
    among the values a public link allows."""


class EmbedTokenInvalid(BoardError):
    """A signed embed token that is forged, expired, revoked, or for a deleted dashboard."""


class TransferError(BoardError):
    """A dashboard export that cannot be imported here (an unknown data source, a broken
    reference, a spec this version does not read)."""


class NotPublished(BoardError):
    """A widget a public link or embed does not serve: added after it was published, or its
    pinned query's data source is gone."""
