"""The result-cache key of one run."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping

from cachetools import LRUCache
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

PLAIN_FINGERPRINTS_KEPT = 4096
_plain_fingerprints: LRUCache[tuple[str, str, tuple[tuple[str, str], ...], str], str] = LRUCache(
    PLAIN_FINGERPRINTS_KEPT
)
_plain_fingerprints_lock = threading.Lock()


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
    payload = {
        "datasource": datasource,
        "sql": normalized,
        "parameters": parameters,
        "table_versions": table_versions,
        "policy": policy,
    }
    if parameters:
        return _digest(payload)
    key = (datasource, normalized, tuple(sorted(table_versions.items())), policy)
    with _plain_fingerprints_lock:
        known = _plain_fingerprints.get(key)
    if known is None:
        known = _digest(payload)
        with _plain_fingerprints_lock:
            _plain_fingerprints[key] = known
    return known


def _digest(payload: Mapping[str, object]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalized_sql(expression: exp.Expression, dialect: str) -> str:
    """`expression` as canonical text in `dialect`: no comments, identifiers case-folded."""
    normalized = normalize_identifiers(expression.copy(), dialect=dialect)
    return normalized.sql(dialect=dialect, comments=False)
