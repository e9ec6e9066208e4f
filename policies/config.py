"""The pack's configuration: each configurable rule's settings as a pydantic model (the one source of its
JSON schema), and the check that refuses a bad configuration before any rule runs, naming the key."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Any

from pulumi_policy import PolicyConfigSchema
from pydantic import ConfigDict, Field, ValidationError

from provisioning.sdk.documented import DocumentedModel

__all__ = [
    "BudgetConfig",
    "EnvironmentConfig",
    "LabelsConfig",
    "DefaultLabelsConfig",
    "PackConfigError",
    "check_pack_config",
    "check_rule_names",
    "schema_of",
]

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
"""Enforcement levels a rule can be set to."""


class _Settings(DocumentedModel):
    model_config = ConfigDict(extra="forbid")


class BudgetConfig(_Settings):
    """Settings of `stack-budget`."""

    max_hourly_cost: Annotated[float, Field(ge=0)] | None = None
    """The most the stack may cost, in USD per hour (at least 0)."""


class EnvironmentConfig(_Settings):
    """Settings of the `production-*` rules."""

    environment: str | None = None
    """The stack's environment; `production` turns the rule on (default: from the stack name)."""


class LabelsConfig(_Settings):
    """Settings of `required-labels`."""

    labels: list[str] = Field(default_factory=list)
    """Label keys every server must carry."""


class DefaultLabelsConfig(_Settings):
    """Settings of `default-labels`."""

    labels: dict[str, str] = Field(default_factory=dict)
    """Labels (key: value) that resources get when they lack them."""


def schema_of(model: type[_Settings]) -> PolicyConfigSchema:
    """The pulumi-policy config schema of a settings model."""
    return PolicyConfigSchema(model.model_json_schema()["properties"])


class PackConfigError(ValueError):
    """The pack's configuration names an unknown rule or level, or breaks a setting's rule."""


def check_rule_names(config: Mapping[str, object], settings: Mapping[str, object]) -> None:
    """Refuse `config` unless each of its keys is `all` or a rule of `settings`, naming the likely one."""
    for rule in config:
        if rule != "all" and rule not in settings:
            close = difflib.get_close_matches(rule, list(settings), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise PackConfigError(
                f"unknown rule {rule!r}{hint} in the pack's configuration; rules: {', '.join(settings)}"
            )


def check_pack_config(
    config: Mapping[str, Mapping[str, Any]], settings: Mapping[str, type[_Settings] | None]
) -> None:
    """Refuse `config` ({rule: {enforcementLevel, …settings}}) unless every rule, level and setting is known
    and valid for `settings` ({rule: its settings model, or None})."""
    check_rule_names(config, settings)
    for rule, values in config.items():
        if rule == "all":
            continue
        given = dict(values)
        level = given.pop("enforcementLevel", None)
        if level is not None and level not in LEVELS:
            raise PackConfigError(f"{rule}.enforcementLevel: {level!r} is not one of {', '.join(LEVELS)}")
        model = settings[rule]
        if given and model is None:
            raise PackConfigError(f"{rule} takes no settings (got {', '.join(given)})")
        if model is not None:
            try:
                model.model_validate(given)
            except ValidationError as exc:
                first = exc.errors()[0]
                key = ".".join(str(p) for p in first["loc"])
                raise PackConfigError(f"{rule}.{key}: {first['msg']} (got {first.get('input')!r})") from None
