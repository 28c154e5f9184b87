"""The result-cache key of one run."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers


def fingerprint(
    *,
    datasource: str,
    expression: exp.Expression,
    dialect: str,
    parameters: Mapping[str, object],
    table_versions: Mapping[str, str],
    context: Mapping[str, object],
) -> str:
    """sha256 hex of everything a result depends on.

    The SQL part is `expression` normalised: comments dropped, unquoted identifiers
    case-folded as `dialect` resolves them, whitespace and keyword case irrelevant (the
    text is regenerated). Literal values, parameters, table versions and the user's
    row-filter/mask `context` all change the key. Values JSON cannot hold (dates) count
    by their `str()`.
    """
    return fingerprint_of(
        datasource=datasource,
        normalized=normalized_sql(expression, dialect),
        parameters=parameters,
        table_versions=table_versions,
        context=context,
    )


def fingerprint_of(
    *,
    datasource: str,
    normalized: str,
    parameters: Mapping[str, object],
    table_versions: Mapping[str, str],
    context: Mapping[str, object],
) -> str:
    """`fingerprint` of a statement already in normal form (`normalized_sql`). Without
    parameters or context (a BI tool's statements) it is remembered per statement and
    table versions, as such statements repeat."""
    payload = {
        "datasource": datasource,
        "sql": normalized,
        "parameters": parameters,
        "table_versions": table_versions,
        "context": context,
    }
    if parameters or context:
        return _digest(payload)
    key = (datasource, normalized, tuple(sorted(table_versions.items())))
    known = _plain_fingerprints.get(key)
    if known is None:
        known = _digest(payload)
        if len(_plain_fingerprints) >= PLAIN_FINGERPRINTS_KEPT:
            _plain_fingerprints.clear()
        _plain_fingerprints[key] = known
    return known


PLAIN_FINGERPRINTS_KEPT = 4096
_plain_fingerprints: dict[tuple[str, str, tuple[tuple[str, str], ...]], str] = {}


def _digest(payload: Mapping[str, object]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalized_sql(expression: exp.Expression, dialect: str) -> str:
    """`expression` as canonical text in `dialect`: no comments, identifiers case-folded."""
    normalized = normalize_identifiers(expression.copy(), dialect=dialect)
    return normalized.sql(dialect=dialect, comments=False)
