"""Helpers shared by the provider unit tests."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.sdk import WaitTimeout
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


def never_ready(
    cloud: Cloud, provider: DynamicProvider, inputs: dict[str, Any], status: str, kind: str
) -> None:
    """With the lifecycle held (manual mode), `create(inputs)` gives up at its `create_timeout` with a
    `WaitTimeout` naming the `status` it waited for, and deletes what it made: nothing of `kind` is left
    but what is `deleting` (manual mode holds that too)."""
    cloud.admin.put("/admin/lifecycle", json={"mode": "manual", "boot_delay_s": 0})
    with pytest.raises(WaitTimeout) as info:
        provider.create(inputs)
    assert status in str(info.value)
    assert [found["status"] for found in items(cloud, kind)] in ([], ["deleting"])
