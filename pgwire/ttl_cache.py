"""Values remembered for a few seconds, so a burst of logins reads the metadata DB once."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Thread-safe in the way that matters here: two threads missing the same key at once
    both compute it, and the later value wins."""

    def __init__(self, ttl_s: float) -> None:
        self._ttl_s = ttl_s
        self._entries: dict[K, tuple[float, V]] = {}

    def get(
        self, key: K, compute: Callable[[], V], *, keep: Callable[[V], bool] | None = None
    ) -> V:
        """The value of `key` computed less than `ttl_s` ago, else `compute()`'s, which is
        remembered unless `keep(value)` is false (e.g. for an unknown user, so names tried
        at random fill no memory). Exceptions of `compute` propagate."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self._ttl_s:
            return entry[1]
        value = compute()
        if keep is None or keep(value):
            self._entries[key] = (now, value)
        return value
