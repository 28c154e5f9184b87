"""The row filters and column masks of a data source, as governance applies them to every
statement (they are set in `dashboards.catalog.policies`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cachetools import LRUCache, cached

from connectors.sql.policy import Namespace, TableKey, TablePolicy
from dashboards.models import DataSource, Engine, SecuredTable

DEFAULT_SCHEMAS = {Engine.DUCKDB: "main", Engine.POSTGRES: "public", Engine.DELTA: "default"}
POLICY_SETS_KEPT = 256


@dataclass(frozen=True)
class PolicySet:
    """Every policy of one data source, as governance applies them."""

    policies: dict[TableKey, TablePolicy]
    columns: dict[TableKey, list[str]]
    namespace: Namespace


def namespace_of(datasource: DataSource, dialect: str) -> Namespace:
    """How statements written in `dialect` name the data source's tables."""
    return Namespace(
        dialect=dialect,
        default_schema=DEFAULT_SCHEMAS[Engine(datasource.engine)],
        catalogs=frozenset({datasource.name}),
    )


def policies_of(datasource: DataSource, *, engine_dialect: str, dialect: str) -> PolicySet | None:
    """The data source's policies (written in `engine_dialect`) for statements written in
    `dialect`, None if it has none. Kept per policy version: a change reaches every process
    at its next statement."""
    if datasource.policy_version == 0:
        return None
    return _policy_set(datasource.pk, datasource.policy_version, engine_dialect, dialect)


@cached(LRUCache(POLICY_SETS_KEPT), lock=threading.Lock())
def _policy_set(
    datasource_id: int, policy_version: int, engine_dialect: str, dialect: str
) -> PolicySet:
    policies: dict[TableKey, TablePolicy] = {}
    columns: dict[TableKey, list[str]] = {}
    datasource = DataSource.objects.get(pk=datasource_id)
    for secured in SecuredTable.objects.filter(datasource_id=datasource_id):
        table_key = TableKey(secured.schema, secured.name)
        policies[table_key] = TablePolicy.from_sql(
            row_filter=secured.row_filter or None, masks=secured.masks, dialect=engine_dialect
        )
        columns[table_key] = list(secured.columns)
    return PolicySet(policies, columns, namespace_of(datasource, dialect))
