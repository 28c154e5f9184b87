"""Engine error positions, mapped back to the text the user wrote.

The engine reports a position in the SQL we generated (transpiled, parameters bound,
limit injected). This is a best effort: take the word at that position and look for it,
as a whole word and ignoring case, in the user's text, preferring the first occurrence at
or after the proportionally corresponding offset.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z_][\w$]*|\d+(?:\.\d+)?")


def map_position(executed_sql: str, position: int, user_sql: str) -> int | None:
    """The 1-based position in `user_sql` of the word at 1-based `position` of
    `executed_sql`; None when there is no word there or the user's text lacks it."""
    word = _word_at(executed_sql, position - 1)
    if word is None:
        return None
    pattern = re.compile(rf"(?<![\w$]){re.escape(word)}(?![\w$])", re.IGNORECASE)
    expected = (position - 1) * len(user_sql) // max(len(executed_sql), 1)
    match = pattern.search(user_sql, expected) or pattern.search(user_sql)
    return match.start() + 1 if match else None


def _word_at(sql: str, index: int) -> str | None:
    for match in _WORD.finditer(sql):
        if match.start() <= index < match.end():
            return match.group(0)
    return None
