"""Pydantic validation as data: (field, value, rule) triples, `CheckFailure`s and one `ConfigError`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import ConfigError

__all__ = ["Violation", "parse", "violations"]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule of one field."""

    field: str
    """Dotted path of the field (`labels.env`)."""
    value: Any
    """The offending value."""
    rule: str
    """The rule in words, as the schema states it."""


def _rule(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "__root__"


def violations(model: type[BaseModel], data: Mapping[str, Any]) -> list[Violation]:
    """Every rule `data` breaks in `model`, in schema order; empty when valid."""
    try:
        model.model_validate(dict(data))
    except ValidationError as exc:
        found: list[Violation] = []
        for error in exc.errors():
            loc = tuple(error.get("loc", ()))
            value = error.get("input") if error.get("type") != "missing" else None
            found.append(Violation(_field(loc), value, _rule(error)))
        return found
    return []


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate `data` into `model`; raise `ConfigError` naming the first broken rule."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        value = first.get("input") if first.get("type") != "missing" else None
        raise ConfigError(_field(tuple(first.get("loc", ()))), value, _rule(first)) from exc
