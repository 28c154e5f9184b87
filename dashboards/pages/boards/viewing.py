"""Who looks at a dashboard, and with what: a logged-in user, a public link or a signed
embed each become one `BoardView` here, from the request's query string.

Query string of the page and of its data stream:
- `filters`: a JSON object, filter name → value
- `xf`: a JSON list of cross-filters, [{"widget": id, "column": name, "values": [...]}]
- `first`: comma-separated ids of the widgets on screen, loaded first
- `max_age`: the viewer's auto-refresh interval (s): results may be at most this old
- `refresh=1`: run every query again now (logged-in viewers only)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from dashboards.boards.errors import FilterValueError
from dashboards.boards.figures import CrossFilter
from dashboards.boards.filters import resolve_filter_values
from dashboards.boards.pins import Pins
from dashboards.boards.stream import BoardView
from dashboards.models import Dashboard

# a public or embedded viewer may not make the engines run more often than this
SHARED_MIN_AGE_S = 60.0
MAX_CROSS_FILTERS = 10


class _CrossFilterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    widget: int
    column: str = Field(min_length=1, max_length=1024)
    values: list[str | int | float | bool] = Field(min_length=1, max_length=100)


_CROSS_FILTERS = TypeAdapter(list[_CrossFilterIn])


def _json_param(request: HttpRequest, name: str, default: str) -> Any:
    try:
        return json.loads(request.GET.get(name) or default)
    except json.JSONDecodeError as error:
        raise FilterValueError(f"{name} is not JSON: {error}", name) from error


def requested_filters(request: HttpRequest) -> dict[str, Any]:
    value = _json_param(request, "filters", "{}")
    if not isinstance(value, dict):
        raise FilterValueError("filters must be a JSON object", "filters")
    return value


def cross_filters(request: HttpRequest) -> tuple[CrossFilter, ...]:
    try:
        items = _CROSS_FILTERS.validate_python(_json_param(request, "xf", "[]"))
    except ValidationError as error:
        raise FilterValueError(f"xf: {error.errors()[0]['msg']}", "xf") from error
    return tuple(
        CrossFilter(item.widget, item.column, tuple(str(v) for v in item.values))
        for item in items[:MAX_CROSS_FILTERS]
    )


MAX_FIRST_WIDGETS = 200


def first_widgets(request: HttpRequest) -> list[int]:
    """The ids in `first` (ASCII digits, at most 18 of them: anything else names no widget)."""
    parts = request.GET.get("first", "").split(",")[:MAX_FIRST_WIDGETS]
    return [int(part) for part in parts if part.isascii() and part.isdigit() and len(part) <= 18]


def _requested_age(request: HttpRequest, ceiling: float) -> float:
    """`max_age` within [0, ceiling]; a value that is no finite number means the ceiling."""
    try:
        asked = float(request.GET.get("max_age", ceiling))
    except ValueError:
        asked = ceiling
    if not math.isfinite(asked):
        asked = ceiling
    return max(0.0, min(asked, ceiling))


def user_view(request: HttpRequest, dashboard: Dashboard, user: User) -> BoardView:
    """A logged-in viewer: any value a filter admits; `refresh=1` runs everything anew."""
    max_age = (
        0.0 if request.GET.get("refresh") == "1" else _requested_age(request, dashboard.max_age_s)
    )
    return BoardView(
        dashboard=dashboard,
        run_as=user,
        filter_values=resolve_filter_values(
            list(dashboard.filters.all()), requested_filters(request)
        ),
        max_age_s=max_age,
        cross_filters=cross_filters(request),
    )


def shared_view(
    request: HttpRequest,
    dashboard: Dashboard,
    *,
    run_as: User,
    allowed: Mapping[str, Sequence[Any]],
    fixed: Mapping[str, Any] | None = None,
    pins: Pins,
) -> BoardView:
    """A public link or an embed: only the allowed filter values, the pinned query
    versions run as the user who published, results at least SHARED_MIN_AGE_S old are
    still good enough."""
    filters = list(dashboard.filters.all())
    for board_filter in filters:
        if fixed and board_filter.name in fixed:
            board_filter.default = fixed[board_filter.name]
    ceiling = max(float(dashboard.max_age_s), SHARED_MIN_AGE_S)
    return BoardView(
        dashboard=dashboard,
        run_as=run_as,
        filter_values=resolve_filter_values(filters, requested_filters(request), allowed=allowed),
        max_age_s=max(SHARED_MIN_AGE_S, _requested_age(request, ceiling)),
        cross_filters=cross_filters(request),
        pins=pins,
    )
