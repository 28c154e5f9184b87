"""Service functions for data sources: add (checking the connection), remove, and the
data version the app's own loaders bump when they write."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from connectors import open_connector
from dashboards.audit.changes import audit_change
from dashboards.models import DataSource, Engine


def check_connection_settings(*, engine: Engine, path: str, dsn: str) -> None:
    """Raises ValidationError (by field) when the engine lacks what it connects with."""
    if engine == Engine.POSTGRES and not dsn:
        raise ValidationError({"dsn": "PostgreSQL needs a DSN"})
    if engine in (Engine.DUCKDB, Engine.DELTA) and not path:
        raise ValidationError({"path": f"{engine} needs a path"})


def try_connection(*, engine: Engine, path: str = "", dsn: str = "") -> int:
    """Connect with these settings, unsaved, and count the tables the engine lists.
    Raises ValidationError for missing settings, a ConnectorError with the engine's reason
    when it cannot connect or list."""
    check_connection_settings(engine=engine, path=path, dsn=dsn)
    datasource = DataSource(name="unsaved", engine=engine, path=path)
    datasource.dsn = dsn
    connector = open_connector(datasource.source_settings())
    try:
        connector.check()
        return len(connector.list_tables())
    finally:
        connector.close()


def create_datasource(
    name: str,
    *,
    engine: Engine,
    path: str = "",
    dsn: str = "",
    should_check: bool = True,
    **limits: object,
) -> DataSource:
    """Validate, optionally check that the engine answers (raising ConnectionFailed or
    another ConnectorError with the engine's reason), save and audit."""
    check_connection_settings(engine=engine, path=path, dsn=dsn)
    datasource = DataSource(name=name, engine=engine, path=path, **limits)
    datasource.dsn = dsn
    datasource.full_clean()
    if should_check:
        connector = open_connector(datasource.source_settings())
        try:
            connector.check()
        finally:
            connector.close()
    with transaction.atomic():
        datasource.save()
        audit_change(None, "datasource.create", origin="cli", datasource=name)
    return datasource


def remove_datasource(datasource: DataSource) -> None:
    with transaction.atomic():
        audit_change(None, "datasource.remove", origin="cli", datasource=datasource.name)
        datasource.delete()


def bump_data_version(datasource: DataSource) -> None:
    """Call after the app wrote into the data source: cached results of it go stale."""
    DataSource.objects.filter(pk=datasource.pk).update(data_version=F("data_version") + 1)
