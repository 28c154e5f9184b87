"""Dashboard filter values: which value each filter has for one view of a dashboard, and
which parameters that gives each widget's query.

Values arrive as JSON (the page sends its filter state as one JSON object). The checks here
are the dashboard's own (type, options, what a public link allows); the query's parameter
specs are checked again where the SQL is bound, by governance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dashboards.boards.errors import FilterValueError
from dashboards.models import DashboardFilter, FilterType, Widget

Values = dict[str, Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_text(value: Any) -> bool:
    return isinstance(value, str)


def _check_number(value: Any) -> bool:
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return _is_number(value)


def _check_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return isinstance(value, str) and len(value) == 10


def _check_datetime(value: Any) -> bool:
    try:
        dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _check_date_range(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"start", "end"}
        and _check_date(value["start"])
        and _check_date(value["end"])
        and value["start"] <= value["end"]
    )


_CHECKS: dict[FilterType, Callable[[Any], bool]] = {
    FilterType.TEXT: _check_text,
    FilterType.NUMBER: _check_number,
    FilterType.DATE: _check_date,
    FilterType.DATETIME: _check_datetime,
    FilterType.DATE_RANGE: _check_date_range,
}

_EXPECTED: dict[FilterType, str] = {
    FilterType.TEXT: "text",
    FilterType.NUMBER: "a number",
    FilterType.DATE: "a date (YYYY-MM-DD)",
    FilterType.DATETIME: "a date and time (ISO 8601)",
    FilterType.DATE_RANGE: "a range {start, end} of dates",
}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def check_filter_value(board_filter: DashboardFilter, value: Any) -> Any:
    """`value` if it suits the filter; raises FilterValueError otherwise."""
    name = board_filter.name
    if board_filter.type == FilterType.ENUM:
        chosen = _as_list(value)
        if not board_filter.is_multi and (len(chosen) != 1 or isinstance(value, list)):
            raise FilterValueError(f"filter {name} takes one value", name)
        if not chosen:
            raise FilterValueError(f"filter {name} needs at least one value", name)
        options = {str(option) for option in board_filter.options}
        for item in chosen:
            if str(item) not in options:
                raise FilterValueError(f"filter {name}: {item!r} is not one of its options", name)
        return value
    if not _CHECKS[FilterType(board_filter.type)](value):
        expected = _EXPECTED[FilterType(board_filter.type)]
        raise FilterValueError(f"filter {name} must be {expected}", name)
    return value


def _is_allowed(value: Any, allowed: Sequence[Any]) -> bool:
    allowed_text = {str(item) for item in allowed if not isinstance(item, dict | list)}
    for item in _as_list(value):
        if isinstance(item, dict):
            if item not in allowed:
                return False
        elif str(item) not in allowed_text:
            return False
    return True


def resolve_filter_values(
    filters: Sequence[DashboardFilter],
    requested: Mapping[str, Any],
    *,
    allowed: Mapping[str, Sequence[Any]] | None = None,
) -> Values:
    """The value of every filter for one view: the requested one, else its default.

    With `allowed` (a public link or an embed), a filter named there takes only those
    values (or its default), and any other filter only its default. Unknown names in
    `requested` are ignored: a stale bookmark still opens the dashboard. Raises
    FilterValueError for a value the filter or `allowed` does not admit.
    """
    values: Values = {}
    for board_filter in filters:
        value = requested.get(board_filter.name)
        if value is None or value == "" or value == []:
            values[board_filter.name] = board_filter.default
            continue
        check_filter_value(board_filter, value)
        if allowed is not None and value != board_filter.default:
            permitted = allowed.get(board_filter.name)
            if permitted is None or not _is_allowed(value, permitted):
                raise FilterValueError(
                    f"this link does not allow {value!r} for filter {board_filter.name}",
                    board_filter.name,
                )
        values[board_filter.name] = value
    return values


def widget_parameters(widget: Widget, values: Mapping[str, Any]) -> Values:
    """The parameters of the widget's query: each bound to a filter takes the filter's
    value (left out when the filter has none, so the query's default applies), each bound
    to a value takes that value."""
    parameters: Values = {}
    for parameter, binding in widget.parameter_bindings.items():
        if "filter" in binding:
            value = values.get(binding["filter"])
            if value is not None:
                parameters[parameter] = value
        else:
            parameters[parameter] = binding["value"]
    return parameters
