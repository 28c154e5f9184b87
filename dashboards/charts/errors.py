"""The one error of the charts package.

A `ChartError` says why a chart cannot be built and which part of the chart spec is at
fault, as a dotted path (``encodings.y[1]``, ``options.number_format``), so an editor can
put the message next to the control that needs fixing.
"""

from __future__ import annotations


class ChartError(Exception):
    """A chart spec is invalid, or does not fit the result it is drawn from."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.field = field
