"""ServerProvider methods called directly against the in-process emulator app."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from provisioning.providers.custom_cloud.config import MISSING_KEY_MESSAGE
from provisioning.providers.custom_cloud.server import ServerProvider
from provisioning.sdk import ProvisioningError
from provisioning.sdk.ownership import OWNER_LABEL, owner_hash
from provisioning.sdk.unknowns import UNKNOWN
from tests.support.cloud_rules import SERVER_RULES

from ._api_fixtures import never_ready
from .conftest import API_KEY, SERVER_BASE, Cloud, checked_server

BASE = SERVER_BASE
checked = checked_server


def failures(provider: ServerProvider, **changes: Any) -> dict[str, str]:
    return {f.property: f.reason for f in provider.check({}, {**BASE, **changes}).failures}


@pytest.mark.parametrize(("field", "value", "reason"), SERVER_RULES)
def test_check_reports_each_rule_on_its_field(cloud: Cloud, field: str, value: Any, reason: str) -> None:
    found = failures(cloud.provider(ServerProvider), **{field: value})
    assert field in found and reason in found[field]


def test_check_zone_follows_configured_region(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider, **{"custom-cloud:region": "eu-west-1"})
    assert failures(provider, zone="eu-west-1b") == {}
    assert "zone" in failures(provider, zone="us-west-1a")


def test_zone_outside_the_region_fails_at_preview_while_the_network_is_unknown(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider, **{"custom-cloud:region": "us-west-1"})
    pending = {**BASE, "zone": "us-east-1a", "vpc": UNKNOWN, "subnet": UNKNOWN}
    found = {f.property: f.reason for f in provider.check({}, pending).failures}
    assert found == {
        "zone": "zone 'us-east-1a' is not in region 'us-west-1' (region 'us-west-1' is the provider's region,"
        " from the stack config custom-cloud:region; pass region=... to choose another)"
    }
    default = {f.property: f.reason for f in cloud.provider(ServerProvider).check({}, pending).failures}
    assert (
        "is the provider's region, the default (set custom-cloud:region to choose another)" in default["zone"]
    )
    named = {f.property: f.reason for f in provider.check({}, {**pending, "region": "us-west-1"}).failures}
    assert named["zone"] == "zone 'us-east-1a' is not in region 'us-west-1'"  # the server's own region


def test_vpc_the_service_filled_in_never_shows_as_a_diff(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    news = {**checked(provider), "subnet": "subnet-1"}
    olds = {**news, "vpc": "net-1"}  # the outputs: vpc filled from the subnet
    assert news.get("vpc") is None and provider.diff("i-1", olds, news).changes is False
    other = provider.diff("i-1", olds, {**news, "vpc": "net-2"})
    assert other.replaces == ["vpc"]


def test_check_fills_defaults_and_cost(cloud: Cloud) -> None:
    inputs = checked(cloud.provider(ServerProvider), machine_type="medium", disk_size=50)
    assert inputs["estimated_hourly_cost"] == pytest.approx(0.15)
    assert inputs["disk_type"] == "ssd" and inputs["external_ip"] is True and inputs["create_timeout"] == 300
    assert inputs["idempotency_scope"] == BASE["idempotency_scope"]


def test_check_tolerates_unknowns_at_preview(cloud: Cloud) -> None:
    result = cloud.provider(ServerProvider).check({}, {**BASE, "subnet": Unknown(), "disk_size": 5})
    assert {f.property for f in result.failures} == {"disk_size"}
    ok = cloud.provider(ServerProvider).check({}, {**BASE, "subnet": UNKNOWN})
    assert ok.failures == [] and ok.inputs["subnet"] == UNKNOWN


def test_missing_key_fails_check_with_the_documented_message(cloud: Cloud) -> None:
    provider = ServerProvider(transport=cloud.transport)
    import pulumi.dynamic as dyn

    provider.configure(dyn.ConfigureRequest(dyn.Config({}, "unit")))
    reasons = [f.reason for f in provider.check({}, BASE).failures]
    assert reasons and "CUSTOM_CLOUD_API_KEY environment variable is required" in reasons[0]
    assert "custom-cloud:apiKey" in reasons[0] and MISSING_KEY_MESSAGE in reasons[0]


def test_env_fallback_for_key(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    import pulumi.dynamic as dyn

    monkeypatch.setenv("CUSTOM_CLOUD_API_KEY", API_KEY)
    monkeypatch.setenv("CUSTOM_CLOUD_API_URL", "http://testserver/v1")
    provider = ServerProvider(transport=cloud.transport)
    provider.configure(dyn.ConfigureRequest(dyn.Config({}, "unit")))
    created = provider.create(checked(provider))
    assert created.outs["status"] == "running"


def test_create_read_update_delete_lifecycle(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    inputs = checked(provider, labels={"tier": "web"})
    created = provider.create(inputs)
    outs = created.outs
    assert created.id.startswith("i-") and outs["status"] == "running"
    assert outs["private_ip"] and outs["public_ip"].startswith("127.") and outs["created_at"]
    assert outs["estimated_hourly_cost"] == pytest.approx(0.07)
    assert "ssh_host" not in outs  # record hosts: not passed through

    news = {**inputs, "labels": {"tier": "db"}, "disk_size": 40}
    diff = provider.diff(created.id, outs, news)
    assert diff.changes and diff.replaces == []
    updated = provider.update(created.id, outs, news).outs
    assert updated["labels"] == {"tier": "db"} and updated["disk_size"] == 40
    [live] = cloud.instances()
    # the ownership label (hash of the scope here: no host URN) stays on the server, hidden from outputs
    assert live["labels"] == {"tier": "db", OWNER_LABEL: owner_hash(BASE["idempotency_scope"])}
    assert live["disk_size"] == 40

    read = provider.read(created.id, updated)
    assert read.id == created.id and read.inputs is not None and read.inputs["labels"] == {"tier": "db"}

    provider.delete(created.id, updated)
    assert cloud.instances() == []
    provider.delete(created.id, updated)  # 404 is success
    assert provider.read(created.id, updated).id == ""


def test_read_shows_drift_and_supports_import_without_props(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    created = provider.create(checked(provider))
    cloud.api.patch(f"/v1/instances/{created.id}", json={"labels": {"changed": "out-of-band"}})
    assert provider.read(created.id, created.outs).outs["labels"] == {"changed": "out-of-band"}
    adopted = provider.read(created.id, {})
    assert adopted.id == created.id and adopted.inputs is not None
    assert {adopted.inputs[k] for k in ("name", "machine_type", "zone")} == {"web-1", "small", "us-west-1a"}
    assert adopted.inputs["estimated_hourly_cost"] == pytest.approx(0.07)


def test_diff_replacements(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    olds = checked(provider, disk_size=40)
    zone = provider.diff("i-1", olds, {**olds, "zone": "us-west-1b"})
    assert zone.replaces == ["zone"] and zone.delete_before_replace is False
    shrink = provider.diff("i-1", olds, {**olds, "disk_size": 30})
    assert shrink.replaces == ["disk_size"] and shrink.delete_before_replace is True
    grow = provider.diff("i-1", olds, {**olds, "disk_size": 50})
    assert grow.changes and grow.replaces == []
    unknown = provider.diff("i-1", olds, {**olds, "subnet": UNKNOWN})
    assert unknown.replaces == ["subnet"]


def test_diff_ignores_provider_and_computed_changes(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    olds = {
        **checked(provider),
        "__provider": "old-serialized",
        "status": "running",
        "private_ip": "10.0.0.2",
    }
    news = {**checked(provider), "__provider": "new-serialized", "idempotency_scope": "other"}
    assert provider.diff("i-1", olds, news).changes is False


def test_repeated_create_finds_the_same_server(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    inputs = checked(provider)
    first = provider.create(inputs)
    second = provider.create(inputs)  # e.g. a `pulumi up` after the first one was killed
    assert first.id == second.id and len(cloud.instances()) == 1


def test_create_after_delete_with_same_inputs_makes_a_new_server(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    inputs = checked(provider)
    first = provider.create(inputs)
    provider.delete(first.id, first.outs)
    again = provider.create(inputs)
    assert again.id != first.id and [i["id"] for i in cloud.instances()] == [again.id]


def test_failed_wait_deletes_what_was_created(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    # the cleanup's DELETE was accepted: nothing is left that will not go away (manual mode holds `deleting`)
    never_ready(cloud, provider, checked(provider, create_timeout=0.3), "running", "instances")
    assert [
        i["status"] for i in cloud.api.get("/v1/instances", params={"status": "running"}).json()["items"]
    ] == []


def test_errors_never_contain_the_key(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    with pytest.raises(ProvisioningError) as info:
        provider.update("i-doesnotexist", checked(provider), checked(provider, labels={"a": "b"}))
    assert "/instances/i-doesnotexist" in str(info.value) and "404" in str(info.value)
    assert API_KEY not in str(info.value)


def test_delete_keep_storage_leaves_a_volume(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    created = provider.create(checked(provider, keep_storage=True))
    provider.delete(created.id, created.outs)
    volumes = cloud.api.get("/v1/volumes").json()["items"]
    assert [v["name"] for v in volumes] == ["web-1-disk"]
