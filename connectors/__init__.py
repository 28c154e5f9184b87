"""Engine adapters behind one protocol, and the sqlglot helpers that govern SQL.

Plain Python: nothing here imports Django or our other packages.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.base import Connector, SourceSettings
from connectors.delta import DeltaConnector
from connectors.duck import DuckDBConnector
from connectors.errors import ConnectionFailed
from connectors.postgres import PostgresConnector

#: engine name (SourceSettings.engine) → how to open a connector for it
ENGINES: dict[str, Callable[[SourceSettings], Connector]] = {
    "duckdb": DuckDBConnector,
    "postgres": PostgresConnector,
    "delta": DeltaConnector,
}


def open_connector(settings: SourceSettings) -> Connector:
    """A connector for `settings.engine`; the caller closes it.

    Raises ConnectionFailed for an unknown engine or when the source cannot be opened.
    """
    factory = ENGINES.get(settings.engine)
    if factory is None:
        known = ", ".join(sorted(ENGINES))
        raise ConnectionFailed(f"unknown engine {settings.engine!r} (known: {known})")
    return factory(settings)


__all__ = ["ENGINES", "open_connector"]
