"""Session parameters (GUCs): the ones clients SET, SHOW and read through
`current_setting`, with PostgreSQL 16's spellings, defaults and validation.

Values are stored as PostgreSQL shows them. Parameters marked `is_reported` are sent as
ParameterStatus at startup and whenever they change.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from pgwire.protocol.errors import (
    FeatureNotSupported,
    InvalidParameterValue,
    PgError,
    UndefinedParameter,
)

SERVER_VERSION = "16.4"
SERVER_VERSION_NUM = "160004"


class CantChangeParameter(PgError):
    sqlstate = "55P02"


def _same(value: str) -> str:
    return value


def _utf8_only(value: str) -> str:
    if re.sub(r"[^a-z0-9]", "", value.lower()) not in ("utf8", "unicode"):
        raise FeatureNotSupported(
            f'client encoding "{value}" is not supported: this server speaks only UTF8'
        )
    return "UTF8"


def _iso_datestyle(value: str) -> str:
    parts = {part.strip().upper() for part in value.split(",") if part.strip()}
    if not parts <= {"ISO", "MDY", "DMY", "YMD", "US", "EURO", "NONEURO"} or (
        parts & {"POSTGRES", "SQL", "GERMAN"}
    ):
        raise InvalidParameterValue(f'invalid value for parameter "DateStyle": "{value}"')
    order = "DMY" if parts & {"DMY", "EURO"} else "YMD" if "YMD" in parts else "MDY"
    return f"ISO, {order}"


def _boolean(value: str) -> str:
    lowered = value.strip().lower()
    if lowered in ("on", "true", "yes", "1", "t", "y"):
        return "on"
    if lowered in ("off", "false", "no", "0", "f", "n"):
        return "off"
    raise InvalidParameterValue(f'parameter requires a Boolean value, not "{value}"')


def _only(allowed: str) -> Callable[[str], str]:
    def normalize(value: str) -> str:
        if value.strip().lower() != allowed.lower():
            raise FeatureNotSupported(f'only "{allowed}" is supported, not "{value}"')
        return allowed

    return normalize


def _integer(low: int, high: int) -> Callable[[str], str]:
    def normalize(value: str) -> str:
        try:
            number = int(value.strip())
        except ValueError as error:
            raise InvalidParameterValue(
                f'invalid value "{value}": an integer is required'
            ) from error
        if not low <= number <= high:
            raise InvalidParameterValue(f"{number} is outside the valid range ({low} .. {high})")
        return str(number)

    return normalize


_DURATION_UNITS_MS = {"": 1, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}


def _duration_ms(value: str) -> str:
    match = re.fullmatch(r"\s*(\d+)\s*(ms|s|min|h|d)?\s*", value.lower())
    if not match:
        raise InvalidParameterValue(f'invalid value for a duration: "{value}"')
    milliseconds = int(match.group(1)) * _DURATION_UNITS_MS[match.group(2) or ""]
    return "0" if milliseconds == 0 else _show_duration(milliseconds)


def _show_duration(milliseconds: int) -> str:
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000)):
        if milliseconds % size == 0:
            return f"{milliseconds // size}{unit}"
    return f"{milliseconds}ms"


@cache
def _zone_names() -> dict[str, str]:
    names = {name.lower(): name for name in zoneinfo.available_timezones()}
    names.update({"utc": "UTC", "gmt": "GMT", "z": "UTC", "zulu": "UTC"})
    return names


def _time_zone(value: str) -> str:
    name = _zone_names().get(value.strip().lower())
    if name is None:
        raise InvalidParameterValue(f'invalid value for parameter "TimeZone": "{value}"')
    return name


def _isolation(value: str) -> str:
    lowered = " ".join(value.lower().replace("_", " ").split())
    if lowered not in ("read uncommitted", "read committed", "repeatable read", "serializable"):
        raise InvalidParameterValue(
            f'invalid value for parameter "transaction_isolation": "{value}"'
        )
    return lowered


def _search_path(value: str) -> str:
    return ", ".join(part.strip() for part in value.split(","))


@dataclass(frozen=True)
class Setting:
    name: str  # PostgreSQL's spelling, e.g. "DateStyle"
    default: str
    is_reported: bool = False
    is_read_only: bool = False
    normalize: Callable[[str], str] = _same
    description: str = ""


_SETTINGS = (
    Setting("server_version", SERVER_VERSION, is_reported=True, is_read_only=True),
    Setting("server_version_num", SERVER_VERSION_NUM, is_read_only=True),
    Setting("server_encoding", "UTF8", is_reported=True, is_read_only=True),
    Setting("client_encoding", "UTF8", is_reported=True, normalize=_utf8_only),
    Setting("DateStyle", "ISO, MDY", is_reported=True, normalize=_iso_datestyle),
    Setting("IntervalStyle", "postgres", is_reported=True, normalize=_only("postgres")),
    Setting("TimeZone", "UTC", is_reported=True, normalize=_time_zone),
    Setting("integer_datetimes", "on", is_reported=True, is_read_only=True),
    Setting("standard_conforming_strings", "on", is_reported=True, normalize=_only("on")),
    Setting("application_name", "", is_reported=True),
    Setting("is_superuser", "off", is_reported=True, is_read_only=True),
    Setting("session_authorization", "", is_reported=True, is_read_only=True),
    Setting("default_transaction_read_only", "off", is_reported=True, normalize=_boolean),
    Setting("in_hot_standby", "off", is_reported=True, is_read_only=True),
    Setting("extra_float_digits", "1", normalize=_integer(-15, 3)),
    Setting("search_path", '"$user", public', normalize=_search_path),
    Setting("client_min_messages", "notice"),
    Setting("statement_timeout", "0", normalize=_duration_ms),
    Setting("lock_timeout", "0", normalize=_duration_ms),
    Setting("idle_in_transaction_session_timeout", "0", normalize=_duration_ms),
    Setting("bytea_output", "hex", normalize=_only("hex")),
    Setting("transaction_isolation", "read committed", normalize=_isolation),
    Setting("default_transaction_isolation", "read committed", normalize=_isolation),
    Setting("transaction_read_only", "off", normalize=_boolean),
    Setting("max_identifier_length", "63", is_read_only=True),
    Setting("max_index_keys", "32", is_read_only=True),
    Setting("block_size", "8192", is_read_only=True),
    Setting("lc_collate", "C.UTF-8", is_read_only=True),
    Setting("lc_ctype", "C.UTF-8", is_read_only=True),
    Setting("lc_messages", "C.UTF-8"),
    Setting("lc_monetary", "C.UTF-8"),
    Setting("lc_numeric", "C.UTF-8"),
    Setting("lc_time", "C.UTF-8"),
    Setting("work_mem", "4MB"),
    Setting("maintenance_work_mem", "64MB"),
    Setting("jit", "off", normalize=_boolean),
    Setting("row_security", "on", normalize=_boolean),
    Setting("synchronous_commit", "on"),
    Setting("ssl_renegotiation_limit", "0"),
    Setting("geqo", "on", normalize=_boolean),
    Setting("timezone_abbreviations", "Default"),
    Setting("default_text_search_config", "pg_catalog.english"),
    Setting("max_connections", "100", is_read_only=True),
    Setting("ssl", "off", is_read_only=True),
)
SETTINGS: dict[str, Setting] = {setting.name.lower(): setting for setting in _SETTINGS}
_ALIASES = {
    "time zone": "timezone",
    "names": "client_encoding",
    "transaction isolation level": "transaction_isolation",
    "session authorization": "session_authorization",
}


def lookup(name: str) -> Setting | None:
    """The setting called `name` (any case; `TIME ZONE`-style aliases too), or None."""
    key = name.strip().lower()
    return SETTINGS.get(_ALIASES.get(key, key))


@dataclass
class SessionSettings:
    """One session's parameter values. Custom `prefix.name` parameters are allowed, as in
    PostgreSQL."""

    values: dict[str, str] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    startup_values: dict[str, str] = field(default_factory=dict)
    _changed: set[str] = field(default_factory=set)
    #: counts every change, so whoever derives something from the values can tell
    version: int = 0

    def get(self, name: str) -> str:
        """The current value; raises UndefinedParameter for an unknown name."""
        setting = lookup(name)
        if setting is None:
            if name.lower() in self.custom:
                return self.custom[name.lower()]
            raise UndefinedParameter(f'unrecognized configuration parameter "{name}"')
        return self.values.get(setting.name.lower(), setting.default)

    def display_name(self, name: str) -> str:
        setting = lookup(name)
        return setting.name if setting else name.lower()

    def set(self, name: str, value: str, *, is_startup: bool = False) -> None:
        """Validate and store `value`; raises UndefinedParameter, InvalidParameterValue,
        FeatureNotSupported or CantChangeParameter."""
        setting = lookup(name)
        if setting is None:
            if "." not in name:
                raise UndefinedParameter(f'unrecognized configuration parameter "{name}"')
            self.custom[name.lower()] = value
            self.version += 1
            return
        if setting.is_read_only and not is_startup:
            raise CantChangeParameter(f'parameter "{setting.name}" cannot be changed')
        self._store(setting, setting.normalize(value))

    def _store(self, setting: Setting, value: str) -> None:
        key = setting.name.lower()
        if self.values.get(key, setting.default) != value and setting.is_reported:
            self._changed.add(key)
        self.values[key] = value
        self.version += 1

    def reset(self, name: str) -> None:
        setting = lookup(name)
        if setting is None:
            self.custom.pop(name.lower(), None)
            self.version += 1
            return
        if not setting.is_read_only:
            key = setting.name.lower()
            self._store(setting, self.startup_values.get(key, setting.default))

    def reset_all(self) -> None:
        for setting in _SETTINGS:
            if not setting.is_read_only:
                default = self.startup_values.get(setting.name.lower(), setting.default)
                self._store(setting, default)
        self.custom.clear()
        self.version += 1

    def remember_startup_values(self) -> None:
        """Values given in the StartupMessage become what RESET returns to."""
        self.startup_values.update(self.values)

    def reported(self) -> Iterator[tuple[str, str]]:
        """Every reported parameter and its value (for the startup sequence)."""
        self._changed.clear()
        for setting in _SETTINGS:
            if setting.is_reported:
                yield setting.name, self.get(setting.name)

    def drain_changes(self) -> list[tuple[str, str]]:
        """Reported parameters changed since the last call, as ParameterStatus pairs."""
        if not self._changed:
            return []
        changed = [(SETTINGS[key].name, self.get(key)) for key in sorted(self._changed)]
        self._changed.clear()
        return changed

    def all_values(self) -> dict[str, str]:
        """name → value for every known parameter (what `current_setting` can read)."""
        merged = {
            setting.name: self.values.get(key, setting.default) for key, setting in SETTINGS.items()
        }
        merged.update(self.custom)
        return merged


def milliseconds(value: str) -> int:
    """A duration setting as shown (`0`, `250ms`, `30s`, `5min`) in milliseconds."""
    for unit in sorted(_DURATION_UNITS_MS, key=len, reverse=True):
        if unit and value.endswith(unit) and value[: -len(unit)].isdigit():
            return int(value[: -len(unit)]) * _DURATION_UNITS_MS[unit]
    return int(value) if value.isdigit() else 0


def startup_options(options: str) -> list[tuple[str, str]]:
    """The `-c name=value` and `--name=value` pairs of the startup `options` parameter
    (spaces inside a value escaped as `\\ `)."""
    pairs: list[tuple[str, str]] = []
    words = [word.replace("\x00", " ") for word in options.replace("\\ ", "\x00").split()]
    index = 0
    while index < len(words):
        word = words[index]
        if word == "-c" and index + 1 < len(words):
            index += 1
            word = words[index]
        elif word.startswith("--") or word.startswith("-c"):
            word = word[2:]
        name, separator, value = word.partition("=")
        if separator:
            pairs.append((name.replace("-", "_"), value))
        index += 1
    return pairs
