"""Network, Subnet, LoadBalancer and Volume providers called directly against the in-process emulator app."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.providers.custom_cloud._provider import MAX_KEY_GENERATIONS
from provisioning.providers.custom_cloud.resource_provider import (
    LoadBalancerProvider,
    NetworkProvider,
    SubnetProvider,
    VolumeProvider,
)
from provisioning.providers.custom_cloud.server import ServerProvider
from provisioning.sdk import ApiError, Conflict, ProvisioningError
from provisioning.sdk.ownership import OWNER_LABEL, without_owner
from provisioning.sdk.unknowns import UNKNOWN

from ._api_fixtures import checked, failures, items, never_ready
from .conftest import API_KEY, Cloud

NET = {"name": "net-a", "cidr": "10.10.0.0/16", "idempotency_scope": "p/s/Network/net-a"}
VOL = {"name": "data", "zone": "us-west-1a", "size": 10, "idempotency_scope": "p/s/Volume/data"}
LISTENERS = [{"port": 80, "protocol": "http", "target_port": 8080}]


def _network(cloud: Cloud) -> tuple[NetworkProvider, Any]:
    provider = cloud.provider(NetworkProvider)
    return provider, provider.create(checked(provider, NET))


def _lb_inputs(provider: LoadBalancerProvider, **changes: Any) -> dict[str, Any]:
    base = {"name": "front", "region": "us-west-1", "listeners": LISTENERS,
            "idempotency_scope": "p/s/LoadBalancer/front"}  # fmt: skip
    return checked(provider, {**base, **changes})


# -- Network ----------------------------------------------------------------------------------------------


NETWORK_RULES: list[tuple[str, Any, str]] = [
    ("cidr", "10.0.0.0/30", ""),
    ("cidr", "not-a-cidr", ""),
    ("name", "Bad_Name", "name 'Bad_Name' must be lowercase letters, digits and dashes"),
    ("region", "mars-1", "unknown region 'mars-1'"),
]
"""(field, a value breaking one of its rules, what the reason says), as `SERVER_RULES`."""


@pytest.mark.parametrize(("field", "value", "reason"), NETWORK_RULES)
def test_network_check_names_the_field(cloud: Cloud, field: str, value: Any, reason: str) -> None:
    found = failures(cloud.provider(NetworkProvider), {**NET, field: value})
    assert field in found and reason in found[field]


def test_network_lifecycle(cloud: Cloud) -> None:
    provider, created = _network(cloud)
    assert created.outs["status"] == "available" and created.outs["cidr"] == "10.10.0.0/16"
    [live] = items(cloud, "networks")
    assert live["id"] == created.id and live["name"] == "net-a"

    news = {**checked(provider, NET), "labels": {"env": "prod"}}
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes and diff.replaces == []
    updated = provider.update(created.id, created.outs, news).outs
    assert updated["labels"] == {"env": "prod"}
    in_cloud = items(cloud, "networks")[0]["labels"]
    assert without_owner(in_cloud) == {"env": "prod"} and OWNER_LABEL in in_cloud  # the owner label stays

    cloud.api.patch(f"/v1/networks/{created.id}", json={"labels": {"env": "hacked"}})
    read = provider.read(created.id, updated)
    assert read.id == created.id and read.outs["labels"] == {"env": "hacked"}
    assert read.inputs is not None and read.inputs["cidr"] == "10.10.0.0/16"
    adopted = provider.read(created.id, {})  # import: no props
    assert adopted.inputs is not None and adopted.inputs["name"] == "net-a"

    provider.delete(created.id, updated)
    assert items(cloud, "networks") == []
    provider.delete(created.id, updated)  # already gone: success
    assert provider.read(created.id, updated).id == ""


def test_network_replacements(cloud: Cloud) -> None:
    provider = cloud.provider(NetworkProvider)
    olds = checked(provider, NET)
    cidr = provider.diff("n-1", olds, {**olds, "cidr": "10.20.0.0/16"})
    assert cidr.replaces == ["cidr"] and cidr.delete_before_replace is True  # same name: delete first
    renamed = provider.diff("n-1", olds, {**olds, "cidr": "10.20.0.0/16", "name": "net-b"})
    assert sorted(renamed.replaces) == ["cidr", "name"] and renamed.delete_before_replace is False
    assert provider.diff("n-1", {**olds, "__provider": "x"}, {**olds, "__provider": "y"}).changes is False
    assert provider.diff("n-1", olds, {**olds, "cidr": UNKNOWN}).replaces == ["cidr"]


def test_network_repeated_create_is_idempotent_and_delete_in_use_fails(cloud: Cloud) -> None:
    provider, created = _network(cloud)
    again = provider.create(checked(provider, NET))
    assert again.id == created.id and len(items(cloud, "networks")) == 1
    subnets = cloud.provider(SubnetProvider)
    sub = {"name": "sub-a", "network_id": created.id, "cidr": "10.10.1.0/24", "zone": "us-west-1a",
           "idempotency_scope": "p/s/Subnet/sub-a"}  # fmt: skip
    subnets.create(checked(subnets, sub))
    with pytest.raises(Conflict) as info:
        provider.delete(created.id, created.outs)
    assert info.value.status == 409 and API_KEY not in str(info.value)


# -- Subnet -----------------------------------------------------------------------------------------------


def test_subnet_lifecycle(cloud: Cloud) -> None:
    _, net = _network(cloud)
    provider = cloud.provider(SubnetProvider)
    base = {"name": "sub-a", "network_id": net.id, "cidr": "10.10.1.0/24", "zone": "us-west-1b",
            "idempotency_scope": "p/s/Subnet/sub-a"}  # fmt: skip
    assert "zone" in failures(provider, {**base, "zone": "mars-1a"})
    created = provider.create(checked(provider, base))
    assert created.outs["region"] == "us-west-1" and created.outs["network_id"] == net.id

    news = {**checked(provider, base), "labels": {"tier": "app"}}
    assert provider.diff(created.id, created.outs, news).replaces == []
    assert provider.update(created.id, created.outs, news).outs["labels"] == {"tier": "app"}
    moved = provider.diff(created.id, created.outs, {**news, "cidr": "10.10.2.0/24"})
    assert moved.replaces == ["cidr"] and moved.delete_before_replace is True
    other_net = provider.diff(created.id, created.outs, {**news, "network_id": "net-other"})
    assert other_net.replaces == ["network_id"] and other_net.delete_before_replace is False
    renamed = provider.diff(created.id, created.outs, {**news, "name": "sub-b"})  # same range: delete first
    assert renamed.replaces == ["name"] and renamed.delete_before_replace is True
    narrowed = provider.diff(created.id, created.outs, {**news, "name": "sub-b", "cidr": "10.10.1.0/25"})
    assert narrowed.delete_before_replace is True  # overlapping siblings are refused too
    apart = provider.diff(created.id, created.outs, {**news, "name": "sub-b", "cidr": "10.10.2.0/24"})
    assert apart.delete_before_replace is False  # the new one can exist beside the old one

    with pytest.raises(ApiError) as outside:  # a CIDR outside the network's: the API names the field
        other = {**base, "name": "sub-b", "cidr": "10.99.0.0/24", "idempotency_scope": "p/s/Subnet/sub-b"}
        provider.create(checked(provider, other))
    assert outside.value.field == "cidr"

    provider.delete(created.id, created.outs)
    assert items(cloud, "subnets") == []


# -- LoadBalancer ------------------------------------------------------------------------------------------


def test_load_balancer_lifecycle(cloud: Cloud) -> None:
    servers = cloud.provider(ServerProvider)
    server = {"name": "web-1", "machine_type": "micro", "zone": "us-west-1a",
              "idempotency_scope": "p/s/Server/web-1"}  # fmt: skip
    web = servers.create(checked(servers, server))
    provider = cloud.provider(LoadBalancerProvider)
    assert "listeners" in failures(provider, {"name": "front", "region": "us-west-1", "listeners": []})
    assert "health_check_path" in failures(
        provider, {"name": "front", "region": "us-west-1", "listeners": LISTENERS, "health_check_path": "x"}
    )
    inputs = _lb_inputs(provider, target_instance_ids=[web.id])
    created = provider.create(inputs)
    assert created.outs["status"] == "active" and created.outs["public_ip"].startswith("127.")
    assert created.outs["target_instance_ids"] == [web.id]

    news = {**inputs, "target_instance_ids": [], "listeners": [{**LISTENERS[0], "target_port": 9090}],
            "health_check_path": "/ready"}  # fmt: skip
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes and diff.replaces == []
    updated = provider.update(created.id, created.outs, news).outs
    [live] = items(cloud, "load-balancers")
    assert live["target_instance_ids"] == [] and live["listeners"][0]["target_port"] == 9090
    assert updated["health_check_path"] == "/ready" and live["health_check_path"] == "/ready"

    region = provider.diff(created.id, updated, {**news, "region": "us-east-1"})
    assert region.replaces == ["region"] and region.delete_before_replace is False  # unique per region
    assert provider.read(created.id, updated).outs["status"] == "active"

    provider.delete(created.id, updated)
    assert items(cloud, "load-balancers") == []


def test_load_balancer_that_never_becomes_active_is_deleted(cloud: Cloud) -> None:
    provider = cloud.provider(LoadBalancerProvider)
    never_ready(cloud, provider, _lb_inputs(provider, create_timeout=0.3), "active", "load-balancers")


# -- Volume -----------------------------------------------------------------------------------------------


def test_volume_lifecycle_grows_in_place_and_replaces_on_shrink(cloud: Cloud) -> None:
    provider = cloud.provider(VolumeProvider)
    assert "disk_type" in failures(provider, {**VOL, "disk_type": "nvme"})
    assert "size" in failures(provider, {**VOL, "size": 0})
    inputs = checked(provider, VOL)
    created = provider.create(inputs)
    assert created.outs["region"] == "us-west-1" and created.outs["hourly_cost"] == pytest.approx(0.01)
    assert created.outs.get("attached_to") is None  # outputs that are None are not stored

    grow = {**inputs, "size": 30, "labels": {"k": "v"}}
    diff = provider.diff(created.id, created.outs, grow)
    assert diff.changes and diff.replaces == []
    grown = provider.update(created.id, created.outs, grow).outs
    assert grown["size"] == 30 and items(cloud, "volumes")[0]["size"] == 30

    shrink = provider.diff(created.id, grown, {**grow, "size": 20})
    assert shrink.replaces == ["size"] and shrink.delete_before_replace is True
    unknown = provider.diff(created.id, grown, {**grow, "size": UNKNOWN})
    assert unknown.replaces == ["size"]
    zone = provider.diff(created.id, grown, {**grow, "zone": "us-west-1b"})
    assert zone.replaces == ["zone"] and zone.delete_before_replace is False

    cloud.api.patch(f"/v1/volumes/{created.id}", json={"size": 40})
    assert provider.read(created.id, grown).inputs["size"] == 40  # type: ignore[index]
    provider.delete(created.id, grown)
    assert items(cloud, "volumes") == []
    assert provider.read(created.id, grown).id == ""


def test_a_volume_made_and_deleted_again_and_again_is_made_each_time(cloud: Cloud) -> None:
    """The same create (same scope, same body) after its resource was deleted, more times than there are
    derived key generations (a stack destroyed and deployed again every night): each makes a new volume,
    and a repeat of the last create finds that one."""
    provider = cloud.provider(VolumeProvider)
    inputs, made = checked(provider, VOL), []
    for _night in range(2 * MAX_KEY_GENERATIONS + 4):
        created = provider.create(inputs)
        assert [v["id"] for v in items(cloud, "volumes")] == [created.id] and created.id not in made
        made.append(created.id)
        provider.delete(created.id, created.outs)
    created = provider.create(inputs)
    assert provider.create(inputs).id == created.id and len(items(cloud, "volumes")) == 1


def test_volume_errors_name_the_field_and_never_the_key(cloud: Cloud) -> None:
    provider = cloud.provider(VolumeProvider)
    created = provider.create(checked(provider, VOL))
    with pytest.raises(ProvisioningError) as info:  # shrinking in place: the API refuses (grow only)
        provider.update(created.id, created.outs, {**checked(provider, VOL), "size": 5, "labels": {"a": "b"}})
    assert "422" in str(info.value) and API_KEY not in str(info.value)
    assert isinstance(info.value, ApiError) and info.value.field == "size"


def test_network_description_goes_to_the_api_and_changes_in_place(cloud: Cloud) -> None:
    provider = cloud.provider(NetworkProvider)
    assert failures(provider, {**NET, "description": "x" * 256}) == {
        "description": "String should have at most 255 characters"
    }
    created = provider.create(checked(provider, {**NET, "description": "shop traffic"}))
    assert created.outs["description"] == "shop traffic"
    assert items(cloud, "networks")[0]["description"] == "shop traffic"

    news = checked(provider, {**NET, "description": "shop and admin traffic"})
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes and diff.replaces == []
    provider.update(created.id, created.outs, news)
    [live] = items(cloud, "networks")
    assert (live["id"], live["description"]) == (created.id, "shop and admin traffic")
