"""Reusable field rules whose messages name the field and the rule, keeping pydantic's error types
(`greater_than_equal`, `literal_error`, …) for machines. Each is `Annotated` metadata. Imports no Pulumi.

>>> from typing import Annotated
>>> from pydantic import BaseModel
>>> class Disk(BaseModel):
...     disk_size: Annotated[int, AtLeast(10, "GB")]
>>> Disk(disk_size=5)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
ValidationError: disk_size must be at least 10GB
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

__all__ = ["AtLeast", "InCatalog", "Matches", "NotEmpty"]


def _field(info: ValidationInfo) -> str:
    return info.field_name or "value"


class _Rule:
    """A check run after the type's own validation, plus what it adds to the JSON schema."""

    def check(self, value: Any, info: ValidationInfo) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        return {}

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.with_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), **self.json_schema()}


@dataclass(frozen=True)
class AtLeast(_Rule):
    """The number is at least `minimum` ("disk_size must be at least 10GB")."""

    minimum: int
    """The smallest value allowed."""
    unit: str = ""
    """Written after the number in the message (`GB`)."""

    def check(self, value: Any, info: ValidationInfo) -> Any:
        if value < self.minimum:
            message = f"{_field(info)} must be at least {self.minimum}{self.unit}"
            raise PydanticCustomError("greater_than_equal", message)
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"minimum": self.minimum}


@dataclass(frozen=True)
class NotEmpty(_Rule):
    """The string is not empty ("name cannot be empty")."""

    def check(self, value: Any, info: ValidationInfo) -> Any:
        if not value:
            raise PydanticCustomError("string_too_short", f"{_field(info)} cannot be empty")
        return value


@dataclass(frozen=True)
class InCatalog(_Rule):
    """The string is one of `known` ("unknown machine_type 'huge'; known: micro, small, …"); empty strings
    get "machine_type cannot be empty"; the JSON schema lists the choices as an enum."""

    known: tuple[str, ...]
    """The allowed values, in catalog order."""

    def check(self, value: Any, info: ValidationInfo) -> Any:
        NotEmpty().check(value, info)
        if value not in self.known:
            message = f"unknown {_field(info)} {value!r}; known: {', '.join(self.known)}"
            raise PydanticCustomError("literal_error", message)
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"enum": list(self.known)}


@dataclass(frozen=True)
class Matches(_Rule):
    """The string matches `pattern`, which `means` says in words ("name 'Web_1' must be lowercase letters,
    digits and dashes, …"); the JSON schema carries the pattern."""

    pattern: str
    """A regular expression the whole string must match."""
    means: str
    """What the pattern asks for, in words."""

    def check(self, value: Any, info: ValidationInfo) -> Any:
        if re.fullmatch(self.pattern, value) is None:
            raise PydanticCustomError(
                "string_pattern_mismatch", f"{_field(info)} {value!r} must be {self.means}"
            )
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"pattern": self.pattern}
