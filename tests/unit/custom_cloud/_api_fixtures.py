"""Helpers shared by the provider unit tests."""

from __future__ import annotations

from typing import Any

from provisioning.sdk.dynamic import DynamicProvider

from .conftest import Cloud


def checked(provider: DynamicProvider, props: dict[str, Any]) -> dict[str, Any]:
    """`check` must pass; its inputs."""
    result = provider.check({}, dict(props))
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def failures(provider: DynamicProvider, props: dict[str, Any]) -> dict[str, str]:
    """`check` failures by field."""
    return {f.property: f.reason for f in provider.check({}, dict(props)).failures}


def items(cloud: Cloud, kind: str) -> list[dict[str, Any]]:
    """Every live resource of `kind` (`networks`, `load-balancers` …) as the API lists it."""
    return list(cloud.api.get(f"/v1/{kind}").json()["items"])
