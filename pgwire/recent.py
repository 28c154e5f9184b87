"""A session's memory of what it did lately (statements prepared, SQL generated), as
clients repeat their statements: bounded by forgetting everything once full."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

RECENT_KEPT = 256


def remember(recent: dict[K, V], key: K, value: V) -> None:
    if len(recent) >= RECENT_KEPT:
        recent.clear()
    recent[key] = value
