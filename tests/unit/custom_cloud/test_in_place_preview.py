"""`check` of an in-place change carries the outputs the change keeps, from the API, so the engine's
preview of the update shows them known; a replacement or no change carries none. `diff` records the
inputs that change, which the dynamic host answers as the Diff's keys."""

from __future__ import annotations

from typing import Any

from provisioning.providers.custom_cloud.server import ServerProvider
from provisioning.sdk import _host

from .conftest import Cloud, checked_server


def _deployed(cloud: Cloud) -> tuple[ServerProvider, dict[str, Any], dict[str, Any]]:
    provider = cloud.provider(ServerProvider)
    olds = checked_server(provider)
    created = provider.create(dict(olds))
    return provider, olds, dict(created.outs or {})


def test_a_resize_and_relabel_carry_the_addresses_and_status(cloud: Cloud) -> None:
    provider, olds, outs = _deployed(cloud)
    result = provider.check(olds, {**olds, "machine_type": "medium", "labels": {"team": "a"}})
    assert result.failures == []
    kept = {k: result.inputs.get(k) for k in ("private_ip", "public_ip", "status")}
    assert kept == {k: outs[k] for k in kept} and kept["private_ip"], (kept, outs)
    assert result.inputs["machine_type"] == "medium"


def test_a_replacement_or_no_change_carries_nothing(cloud: Cloud) -> None:
    provider, olds, _ = _deployed(cloud)
    assert "private_ip" not in provider.check(olds, {**olds, "zone": "us-west-1b"}).inputs
    assert "private_ip" not in provider.check(olds, dict(olds)).inputs


def test_a_server_the_api_no_longer_has_carries_nothing(cloud: Cloud) -> None:
    provider, olds, _ = _deployed(cloud)
    cloud.api.delete(f"/v1/instances/{cloud.instances()[0]['id']}").raise_for_status()
    assert "private_ip" not in provider.check(olds, {**olds, "labels": {"team": "a"}}).inputs


def test_diff_records_the_changed_inputs_for_the_hosts_answer(cloud: Cloud) -> None:
    provider, olds, _ = _deployed(cloud)
    news = {**olds, "machine_type": "medium", "estimated_hourly_cost": 0.12}
    provider.diff("i-1", olds, news)

    class Response:
        def __init__(self) -> None:
            self.diffs: list[str] = []

    assert _host.with_diff_keys(None, Response()).diffs == ["machine_type", "estimated_hourly_cost"]
    assert _host.with_diff_keys(None, Response()).diffs == []  # answered once
