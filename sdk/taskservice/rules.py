"""Field rules task services share, whose messages name the field and state the rule: a number range, a
positive number, a memory size, a 5-field cron schedule, and the ports, folders and database names several
services take. `Annotated` metadata, like `provisioning.sdk.rules`. Imports no Pulumi."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationInfo
from pydantic_core import PydanticCustomError

from ..rules import Matches, _Rule

__all__ = [
    "ANY_PORT",
    "SQL_NAME",
    "UNPRIVILEGED_PORT",
    "CronSchedule",
    "InRange",
    "MemorySize",
    "Positive",
    "deep_path",
    "memory_bytes",
]


def _name(info: ValidationInfo) -> str:
    return info.field_name or "value"


@dataclass(frozen=True)
class InRange(_Rule):
    """The number is above `above` and below `below` ("port must be between 1024 and 65535")."""

    above: int
    """Values must be greater than this."""
    below: int
    """Values must be smaller than this."""
    says: str
    """The rule in words, after the field's name (`must be between 1024 and 65535`)."""

    def check(self, value: Any, info: ValidationInfo) -> Any:
        if not self.above < value < self.below:
            raise PydanticCustomError("range_error", f"{_name(info)} {self.says}")
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"exclusiveMinimum": self.above, "exclusiveMaximum": self.below}


@dataclass(frozen=True)
class Positive(_Rule):
    """The number is greater than zero ("max_connections must be positive")."""

    def check(self, value: Any, info: ValidationInfo) -> Any:
        if value <= 0:
            raise PydanticCustomError("greater_than", f"{_name(info)} must be positive")
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"exclusiveMinimum": 0}


_UNITS = {"kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
_MEMORY = re.compile(r"([1-9][0-9]*)(kB|MB|GB|TB)")


def memory_bytes(size: str) -> int:
    """Bytes in a memory size such as `512MB` (units kB, MB, GB, TB of 1024; PostgreSQL's spelling)."""
    match = _MEMORY.fullmatch(size)
    if match is None:
        raise ValueError(f"{size!r} is not a memory size such as 512MB")
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class MemorySize(_Rule):
    """A whole number and a unit of kB, MB, GB or TB ("memory_limit '1.5G' must be a memory size …"),
    at least `minimum` (a memory size too)."""

    minimum: str = "1MB"
    """The smallest size allowed."""

    def check(self, value: Any, info: ValidationInfo) -> Any:
        if _MEMORY.fullmatch(value) is None:
            raise PydanticCustomError(
                "string_pattern_mismatch",
                f"{_name(info)} {value!r} must be a memory size: a whole number and a unit of kB, MB, GB or "
                "TB (512MB, 1GB)",
            )
        if memory_bytes(value) < memory_bytes(self.minimum):
            raise PydanticCustomError("greater_than_equal", f"{_name(info)} must be at least {self.minimum}")
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"pattern": _MEMORY.pattern}


_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    ("day-of-week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
_CRON_ITEM = re.compile(r"(\*|(?P<low>\w+)(-(?P<high>\w+))?)(/(?P<step>\w+))?")


def _cron_number(text: str, low: int, high: int, names: tuple[str, ...], what: str) -> int:
    first = 1 if what == "month" else 0
    number = names.index(text.lower()) + first if text.lower() in names else None
    if number is None:
        if not text.isdigit():
            raise ValueError(f"{what} {text!r} is not a number")
        number = int(text)
    if not low <= number <= high:
        raise ValueError(f"{what} {number} is not in {low}-{high}")
    return number


def cron_problem(schedule: str) -> str | None:
    """What is wrong with a 5-field cron schedule, or None when it is valid."""
    fields = schedule.split()
    if len(fields) != 5:
        return f"it has {len(fields)} field(s)"
    for text, (what, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in text.split(","):
            match = _CRON_ITEM.fullmatch(item)
            if match is None:
                return f"{what} {item!r} is not *, a number, a range or a step"
            try:
                start = _cron_number(match["low"], low, high, names, what) if match["low"] else low
                end = _cron_number(match["high"], low, high, names, what) if match["high"] else start
                if match["step"] is not None and (not match["step"].isdigit() or int(match["step"]) < 1):
                    return f"{what} step {match['step']!r} is not a positive number"
            except ValueError as exc:
                return str(exc)
            if end < start:
                return f"{what} range {item!r} runs backwards"
    return None


@dataclass(frozen=True)
class CronSchedule(_Rule):
    """Five fields: minute hour day-of-month month day-of-week, each `*`, a number, a range, a list or a step
    ("schedule '0 25 * * *' must be a 5-field cron schedule …: hour 25 is not in 0-23")."""

    def check(self, value: Any, info: ValidationInfo) -> Any:
        problem = cron_problem(value)
        if problem is not None:
            raise PydanticCustomError(
                "cron_schedule",
                f"{_name(info)} {value!r} must be a 5-field cron schedule "
                f"(minute hour day-of-month month day-of-week): {problem}",
            )
        return value


ANY_PORT = InRange(0, 65536, "must be between 1 and 65535")
"""A TCP port."""
UNPRIVILEGED_PORT = InRange(1024, 65536, "must be between 1024 and 65535")
"""A TCP port a database listens on (above 1024)."""
SQL_NAME = Matches(
    r"[a-z_][a-z0-9_]{0,62}", "1 to 63 lowercase letters, digits and '_', not starting with a digit"
)
"""A user or database name, the same in PostgreSQL and MariaDB."""


def deep_path(example: str) -> Matches:
    """An absolute folder at least two levels deep, without `.` or `..` parts; `example` ends the message."""
    return Matches(
        r"(?!.*/\.\.?(/|$))/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+",
        f"an absolute path at least two levels deep, of letters, digits, '.', '_' and '-' ({example})",
    )
