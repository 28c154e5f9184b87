"""Dashboard filter values: which value each filter has for one view of a dashboard, and
which parameters that gives each widget's query.

Values arrive as JSON (the page sends its filter state as one JSON object). The checks here
are the dashboard's own (type, options, what a public link allows); the query's parameter
specs are checked again where the SQL is bound, by governance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.errors import ParameterError
from connectors.sql.params import ParameterSpec, ParameterType, check_value
from dashboards.boards.errors import FilterValueError
from dashboards.models import DashboardFilter, Widget

Values = dict[str, Any]


def _filter_spec(board_filter: DashboardFilter) -> ParameterSpec:
    """The filter as the parameter spec its values must suit (FilterType mirrors
    ParameterType value for value)."""
    return ParameterSpec(
        name=board_filter.name,
        type=ParameterType(board_filter.type),
        options=tuple(str(option) for option in board_filter.options),
        is_multi=board_filter.is_multi,
    )


def check_filter_value(board_filter: DashboardFilter, value: Any) -> Any:
    """`value` if it suits the filter; raises FilterValueError otherwise."""
    try:
        check_value(_filter_spec(board_filter), value, label=f"filter {board_filter.name}")
    except ParameterError as error:
        raise FilterValueError(error.message, board_filter.name) from error
    return value


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


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
