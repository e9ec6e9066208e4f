"""pulumi-policy's own argument types, filled for a test, and a reporter that collects violations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError

from provisioning.policies import all_policies

STACK = "dev"


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def urn(kind: str, name: str, stack: str = STACK) -> str:
    return f"urn:pulumi:{stack}::proj::{kind}::{name}"


def resource(
    kind: str,
    name: str,
    props: dict[str, Any],
    *,
    stack: str = STACK,
    dependencies: list[PolicyResource] | None = None,
) -> PolicyResource:
    """A resource of `kind` (`pulumi-python:dynamic/custom-cloud:Server`, …) as the stack rules see it."""
    return PolicyResource(
        kind, props, urn(kind, name, stack), name, _options(), None, None, dependencies or [], {}
    )


@dataclass
class Reported:
    """What a policy reported: its messages, or why it did not apply."""

    messages: list[str] = field(default_factory=list)
    not_applicable: str | None = None


def policy(name: str) -> Policy:
    [found] = [p for p in all_policies() if p.name == name]
    return found


def check_resource(
    name: str, kind: str, props: dict[str, Any], config: dict[str, Any] | None = None
) -> Reported:
    found = policy(name)
    assert isinstance(found, ResourceValidationPolicy)
    reported = Reported()
    args = ResourceValidationArgs(kind, props, urn(kind, "r"), "r", _options(), None, config or {})
    found.validate(args, lambda message, _urn=None: reported.messages.append(message))
    return reported


def check_stack(name: str, resources: list[PolicyResource], config: dict[str, Any] | None = None) -> Reported:
    found = policy(name)
    assert isinstance(found, StackValidationPolicy)
    reported = Reported()
    try:
        found.validate(
            StackValidationArgs(resources, config or {}), lambda m, _u=None: reported.messages.append(m)
        )
    except _NotApplicableError as exc:
        reported.not_applicable = exc.reason or "not applicable"
    return reported


def remediate(name: str, kind: str, props: dict[str, Any], config: dict[str, Any]) -> Any:
    found = policy(name)
    assert isinstance(found, ResourceValidationPolicy)
    return found.remediate(ResourceValidationArgs(kind, props, urn(kind, "r"), "r", _options(), None, config))
