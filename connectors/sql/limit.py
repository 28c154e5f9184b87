"""Cap the rows a read returns."""

from __future__ import annotations

from sqlglot import exp

_WRAPPED_ALIAS = "_dw_limited"


def inject_limit(expression: exp.Expression, max_rows: int) -> exp.Expression:
    """A copy of `expression` returning at most `max_rows` rows; `expression` is not mutated.

    SELECTs and set operations get `LIMIT max_rows`, or keep a literal LIMIT / FETCH FIRST
    that is already no larger (a larger one is lowered); a parenthesised query is capped
    inside its parentheses. VALUES and queries whose limit is
    not a plain number are wrapped: `SELECT * FROM (…) AS _dw_limited LIMIT max_rows`.
    Any other statement comes back unchanged (as a copy).
    """
    capped = expression.copy()
    inner = capped.unnest() if isinstance(capped, exp.Subquery) and not capped.alias else capped
    if isinstance(inner, (exp.Select, exp.SetOperation)):
        return _cap_query(inner, max_rows)
    if isinstance(capped, (exp.Values, exp.Subquery)):
        return _wrap(capped, max_rows)
    return capped


def _cap_query(query: exp.Select | exp.SetOperation, max_rows: int) -> exp.Expression:
    existing = query.args.get("limit")
    if existing is None:
        return query.limit(max_rows, copy=False)
    count = _literal_count(existing)
    if count is None:
        return _wrap(query, max_rows)
    if count > max_rows:
        key = "count" if isinstance(existing, exp.Fetch) else "expression"
        existing.set(key, exp.Literal.number(max_rows))
    return query


def _literal_count(limit: exp.Expression) -> int | None:
    """The row count of a LIMIT / FETCH FIRST node if it is a plain integer literal."""
    count = limit.args.get("count") if isinstance(limit, exp.Fetch) else limit.expression
    if isinstance(limit, exp.Fetch) and count is None:
        return 1  # FETCH FIRST ROW ONLY
    if isinstance(count, exp.Literal) and not count.is_string and count.name.isdigit():
        return int(count.name)
    return None


def _wrap(query: exp.Expression, max_rows: int) -> exp.Expression:
    alias = exp.TableAlias(this=exp.to_identifier(_WRAPPED_ALIAS))
    subquery = exp.Subquery(this=query, alias=alias)
    return exp.select(exp.Star()).from_(subquery).limit(max_rows)
