"""Results the session computes itself: SHOW, and set_config/current_setting calls."""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from pgwire.protocol.errors import FeatureNotSupported, UndefinedParameter
from pgwire.session.settings import SETTINGS, SessionSettings

_TEXT = pa.field("value", pa.string())


def show_table(settings: SessionSettings, name: str) -> pa.Table:
    """The one-row, one-column result of `SHOW name` (three columns for SHOW ALL), named
    with PostgreSQL's spelling of the parameter."""
    if name.lower() == "all":
        values = settings.all_values()
        descriptions = {setting.name: setting.description for setting in SETTINGS.values()}
        names = sorted(values, key=str.lower)
        return pa.table(
            {
                "name": pa.array(names, pa.string()),
                "setting": pa.array([values[key] for key in names], pa.string()),
                "description": pa.array([descriptions.get(key, "") for key in names], pa.string()),
            }
        )
    value = settings.get(name)
    return pa.table({settings.display_name(name): pa.array([value], pa.string())})


def _literal_text(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return "true" if node.this else "false"
    if isinstance(node, exp.Cast):
        return _literal_text(node.this)
    if isinstance(node, exp.Literal):
        return str(node.this)
    raise FeatureNotSupported("set_config and current_setting take literal arguments here")


def _call(settings: SessionSettings, call: exp.Anonymous) -> str | None:
    args = [_literal_text(node) for node in call.expressions]
    name = str(call.name).lower()
    if name == "current_setting":
        missing_ok = len(args) > 1 and (args[1] or "").lower() in ("true", "t", "on", "1")
        try:
            return settings.get(args[0] or "")
        except UndefinedParameter:
            if missing_ok:
                return None
            raise
    setting_name, value = args[0] or "", args[1] if len(args) > 1 else None
    settings.set(setting_name, value or "")
    return settings.get(setting_name)


def settings_call_table(
    settings: SessionSettings, select: exp.Select, names: list[str]
) -> pa.Table:
    """Evaluate a `SELECT set_config(…), current_setting(…)` projection list."""
    values: dict[str, pa.Array] = {}
    for index, node in enumerate(select.expressions):
        call = node.this if isinstance(node, exp.Alias) else node
        values[f"c{index}"] = pa.array([_call(settings, call)], pa.string())
    table = pa.table(values)
    return table.rename_columns(names)
