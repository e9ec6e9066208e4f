"""Errors of task services: an invalid config, raised by the component's constructor so that `pulumi
preview` fails before anything is registered, naming every broken rule's field, value and rule."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from ..errors import ConfigError
from ..validation import Violation

__all__ = ["InvalidConfig"]


class InvalidConfig(ConfigError, pulumi.RunError):
    """A task service's config breaks rules. A `pulumi.RunError`, so Pulumi prints the message alone."""

    def __init__(self, service: str, resource_name: str, found: Sequence[Violation]) -> None:
        first = found[0]
        super().__init__(first.field, first.value, first.rule)
        self.violations = tuple(found)
        """Every broken rule (field, value, rule)."""
        rules = "; ".join(f"{v.field}: {v.rule} (got {v.value!r})" for v in found)
        self.message = f"{service} {resource_name!r}: invalid config: {rules}"
        """The whole message."""
        self.args = (self.message,)

    def __str__(self) -> str:
        return self.message
