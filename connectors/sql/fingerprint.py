"""The result-cache key of one run."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping

from cachetools import LRUCache, cached
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

PLAIN_FINGERPRINTS_KEPT = 4096


def fingerprint(
    *,
    datasource: str,
    normalized: str,
    parameters: Mapping[str, object],
    table_versions: Mapping[str, str],
    policy: str = "",
) -> str:
    """sha256 hex of everything a result depends on: the data source, the statement in
    normal form (`normalized_sql`), parameters, table versions and the key of the row
    filters and column masks that applied (`policy`). Values JSON cannot hold (dates) count
    by their `str()`. Without parameters (a BI tool's statements) it is remembered per
    statement, table versions and policy, as such statements repeat."""
    versions = tuple(sorted(table_versions.items()))
    if parameters:
        return _digest(datasource, normalized, parameters, versions, policy)
    return _plain_digest(datasource, normalized, versions, policy)


@cached(LRUCache(PLAIN_FINGERPRINTS_KEPT), lock=threading.Lock())
def _plain_digest(
    datasource: str, normalized: str, versions: tuple[tuple[str, str], ...], policy: str
) -> str:
    return _digest(datasource, normalized, {}, versions, policy)


def _digest(
    datasource: str,
    normalized: str,
    parameters: Mapping[str, object],
    versions: tuple[tuple[str, str], ...],
    policy: str,
) -> str:
    payload = {
        "datasource": datasource,
        "sql": normalized,
        "parameters": parameters,
        "table_versions": dict(versions),
        "policy": policy,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalized_sql(expression: exp.Expression, dialect: str) -> str:
    """`expression` as canonical text in `dialect`: no comments, identifiers case-folded."""
    normalized = normalize_identifiers(expression.copy(), dialect=dialect)
    return normalized.sql(dialect=dialect, comments=False)
