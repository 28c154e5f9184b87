from __future__ import annotations

from ninja.errors import HttpError


def not_found(what: str) -> HttpError:
    return HttpError(404, f"{what} not found")
