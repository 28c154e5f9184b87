"""Redash-style query parameters, bound as typed literals in the AST.

A parameter is written `{{ name }}` (a date range's ends `{{ name.start }}` and
`{{ name.end }}`), bare or as a whole quoted literal `'{{ name }}'`. Binding never pastes a
value into SQL text: each marker becomes a placeholder identifier of the same length (so
syntax error positions still point into the user's text), the text is parsed, and each
placeholder node is replaced by a literal built from the validated value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlglot import exp

from connectors.errors import ParameterError
from connectors.sql.parse import parse_statement


class ParameterType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    DATE_RANGE = "date_range"
    ENUM = "enum"


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    type: ParameterType
    options: tuple[str, ...] = ()  # enum: the allowed values
    is_multi: bool = False  # enum: a list of values, used as `x IN ({{ name }})`
    default: object = None  # used when no value is given; None means required


#: a list parameter's values at most: binding and planning cost ~10 µs a value, spent in
#: the web process that answers everyone else too
MAX_LIST_VALUES = 10_000
_MARKER = re.compile(
    r"'\{\{\s*([A-Za-z_]\w*)(?:\.(start|end))?\s*\}\}'|"
    r"\{\{\s*([A-Za-z_]\w*)(?:\.(start|end))?\s*\}\}"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_PLACEHOLDER_PREFIXES = ("_p", "_q", "_x", "_dwp")
_T = TypeVar("_T")
# integers beyond DECIMAL(38), the widest exact type of the engines, are refused (a
# Python int is unbounded: 10**4000 overflows every float conversion on the way)
MAX_INTEGER_DIGITS = 38
MAX_INTEGER = 10**MAX_INTEGER_DIGITS


@dataclass(frozen=True)
class _Marker:
    name: str
    part: str | None  # "start" / "end" of a date range
    position: int  # 1-based, in the SQL as the user wrote it


def find_parameters(sql: str) -> list[str]:
    """The parameter names `sql` uses, deduplicated, in order of first appearance."""
    names = (_marker_of(match).name for match in _MARKER.finditer(sql))
    return list(dict.fromkeys(names))


def infer_spec(name: str, json_value: object) -> ParameterSpec:
    """A spec for an ad-hoc value: ISO date → date, ISO datetime → datetime, int/float →
    number, {start, end} → date_range, list → multi-valued enum of its values, other
    str → text. Raises ParameterError for anything else (null, bool, other objects)."""
    if isinstance(json_value, str):
        if _ISO_DATE.fullmatch(json_value):
            return ParameterSpec(name, ParameterType.DATE)
        if _ISO_DATETIME.fullmatch(json_value):
            return ParameterSpec(name, ParameterType.DATETIME)
        return ParameterSpec(name, ParameterType.TEXT)
    if isinstance(json_value, (int, float)) and not isinstance(json_value, bool):
        return ParameterSpec(name, ParameterType.NUMBER)
    if isinstance(json_value, dict) and {"start", "end"} <= json_value.keys():
        return ParameterSpec(name, ParameterType.DATE_RANGE)
    if isinstance(json_value, list):
        options = tuple(str(value) for value in json_value)
        return ParameterSpec(name, ParameterType.ENUM, options=options, is_multi=True)
    raise ParameterError(f"parameter {name}: cannot tell the type of {json_value!r}")


def bind_parameters(
    sql: str,
    dialect: str,
    specs: Mapping[str, ParameterSpec],
    values: Mapping[str, object],
) -> exp.Expression:
    """Parse `sql` with its parameter markers replaced by typed literals of `values`.

    1. Replace each marker by a same-length placeholder identifier.
    2. Parse (SqlSyntaxError positions refer to `sql` as the user wrote it).
    3. Validate each used parameter's value (or default) against its spec.
    4. Replace each placeholder node by the value's literal; a multi-valued enum must
       stand alone in `IN (…)` and is spread into it.

    Raises ParameterError for an unknown or missing parameter, a value of the wrong type
    or outside its options, or a marker used where no value may stand (a table name,
    inside a longer string literal).
    """
    text, placeholders = _replace_markers(sql)
    statement = parse_statement(text, dialect)
    literals = {key: _literal_for(marker, specs, values) for key, marker in placeholders.items()}
    statement = statement.transform(lambda node: _substitute(node, literals), copy=False)
    _reject_leftovers(statement, placeholders)
    return statement


def _marker_of(match: re.Match[str]) -> _Marker:
    name = match.group(1) or match.group(3)
    return _Marker(name=name, part=match.group(2) or match.group(4), position=match.start() + 1)


def _replace_markers(sql: str) -> tuple[str, dict[str, _Marker]]:
    prefix = next(p for p in _PLACEHOLDER_PREFIXES if not re.search(rf"{p}\d", sql, re.I))
    placeholders: dict[str, _Marker] = {}

    def placeholder(match: re.Match[str]) -> str:
        key = f"{prefix}{len(placeholders)}".ljust(len(match.group(0)), "_")
        placeholders[key] = _marker_of(match)
        return key

    return _MARKER.sub(placeholder, sql), placeholders


def _substitute(
    node: exp.Expression, literals: Mapping[str, list[exp.Expression]]
) -> exp.Expression:
    if isinstance(node, exp.In):
        spread = [value for item in node.expressions for value in _spread(item, literals)]
        node.set("expressions", spread)
        return node
    if isinstance(node, exp.Column) and not node.table and node.name in literals:
        values = literals[node.name]
        if len(values) != 1:
            raise ParameterError("a multi-valued parameter can only be used as `IN (…)`")
        return values[0].copy()
    return node


def _spread(
    item: exp.Expression, literals: Mapping[str, list[exp.Expression]]
) -> list[exp.Expression]:
    if isinstance(item, exp.Column) and not item.table and item.name in literals:
        return [value.copy() for value in literals[item.name]]
    return [item]


def _reject_leftovers(statement: exp.Expression, placeholders: Mapping[str, _Marker]) -> None:
    for node in statement.walk():
        text = node.name if isinstance(node, (exp.Identifier, exp.Literal)) else ""
        for key, marker in placeholders.items():
            if key in text:
                raise ParameterError(
                    f"parameter {marker.name} can only stand for a whole value "
                    "(not a name, nor part of a longer string)"
                )


def _literal_for(
    marker: _Marker, specs: Mapping[str, ParameterSpec], values: Mapping[str, object]
) -> list[exp.Expression]:
    spec = specs.get(marker.name)
    if spec is None:
        raise ParameterError(f"parameter {marker.name} is not defined", position=marker.position)
    value = values.get(marker.name, spec.default)
    if value is None:
        raise ParameterError(f"parameter {marker.name} needs a value", position=marker.position)
    if spec.type is ParameterType.DATE_RANGE:
        if marker.part is None:
            raise ParameterError(f"use {{{{ {spec.name}.start }}}} and {{{{ {spec.name}.end }}}}")
        return [_date_range_literals(f"parameter {spec.name}", value)[marker.part]]
    if marker.part is not None:
        raise ParameterError(f"parameter {spec.name} is no date range; drop .{marker.part}")
    return _literals(spec, value, f"parameter {spec.name}")


def check_value(spec: ParameterSpec, value: object, *, label: str = "") -> None:
    """Raise ParameterError unless `value` is one binding would accept for `spec`; the
    message names it as `label` (by default "parameter <name>", e.g. "filter region")."""
    label = label or f"parameter {spec.name}"
    if value is None:
        raise ParameterError(f"{label} needs a value")
    if spec.type is ParameterType.DATE_RANGE:
        _date_range_literals(label, value)
    else:
        _literals(spec, value, label)


def _literals(spec: ParameterSpec, value: object, label: str) -> list[exp.Expression]:
    if spec.type is ParameterType.ENUM:
        return _enum_literals(spec, value, label)
    return [_SCALARS[spec.type](label, value)]


def _text_literal(label: str, value: object) -> exp.Expression:
    if not isinstance(value, str):
        raise ParameterError(f"{label} must be text")
    return exp.Literal.string(value)


def _number_literal(label: str, value: object) -> exp.Expression:
    number = value
    if isinstance(value, str):
        number = _parse_number(value)
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise ParameterError(f"{label} must be a number")
    if isinstance(number, int) and abs(number) >= MAX_INTEGER:
        raise ParameterError(f"{label} must have at most {MAX_INTEGER_DIGITS} digits")
    if isinstance(number, float) and not math.isfinite(number):
        raise ParameterError(f"{label} must be a finite number")
    literal = exp.Literal.number(abs(number))
    return exp.Neg(this=literal) if number < 0 else literal


def _parse_number(text: str) -> int | float | None:
    for parse in (int, float):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    return None


def _date_literal(label: str, value: object) -> exp.Expression:
    return exp.cast(exp.Literal.string(_date(label, value).isoformat()), exp.DataType.Type.DATE)


def _date(label: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
        raise ParameterError(f"{label} must be a date (YYYY-MM-DD)")
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            raise ParameterError(f"{label} must be a date (YYYY-MM-DD)")
        return _parse_iso(label, dt.date.fromisoformat, value)
    return value


def _datetime_literal(label: str, value: object) -> exp.Expression:
    """Aware values are converted to UTC: the engines' TIMESTAMP has no zone."""
    if isinstance(value, str):
        if not _ISO_DATETIME.fullmatch(value):
            raise ParameterError(f"{label} must be a date and time (ISO 8601)")
        value = _parse_iso(label, dt.datetime.fromisoformat, value)
    if not isinstance(value, dt.datetime):
        raise ParameterError(f"{label} must be a date and time (ISO 8601)")
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    text = value.isoformat(sep=" ")
    return exp.cast(exp.Literal.string(text), exp.DataType.Type.TIMESTAMP)


def _parse_iso(label: str, parse: Callable[[str], _T], text: str) -> _T:
    try:
        return parse(text)
    except ValueError as error:
        raise ParameterError(f"{label}: {error}") from error


def _date_range_literals(label: str, value: object) -> dict[str, exp.Expression]:
    """The casts of a range's start and end; it must hold both, start no later than end."""
    if not isinstance(value, Mapping) or not {"start", "end"} <= value.keys():
        raise ParameterError(f"{label} must be a range with start and end")
    start, end = _date(f"{label}.start", value["start"]), _date(f"{label}.end", value["end"])
    if start > end:
        raise ParameterError(f"{label} must start no later than it ends")
    return {"start": _date_literal(label, start), "end": _date_literal(label, end)}


def _enum_literals(spec: ParameterSpec, value: object, label: str) -> list[exp.Expression]:
    chosen = list(value) if isinstance(value, (list, tuple)) else [value]
    if not spec.is_multi and (len(chosen) != 1 or isinstance(value, (list, tuple))):
        raise ParameterError(f"{label} takes one value")
    if not chosen:
        raise ParameterError(f"{label} needs at least one value")
    if len(chosen) > MAX_LIST_VALUES:
        raise ParameterError(f"{label} takes at most {MAX_LIST_VALUES:,} values")
    options = frozenset(spec.options)
    for item in chosen:
        if str(item) not in options:
            raise ParameterError(f"{label}: {item!r} is not one of its options")
    return [exp.Literal.string(str(item)) for item in chosen]


_SCALARS: dict[ParameterType, Callable[[str, object], exp.Expression]] = {
    ParameterType.TEXT: _text_literal,
    ParameterType.NUMBER: _number_literal,
    ParameterType.DATE: _date_literal,
    ParameterType.DATETIME: _datetime_literal,
}
