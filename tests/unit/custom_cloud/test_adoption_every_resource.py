"""Every resource the SDK creates carries the ownership label, and a create that meets its own name adopts
(and converges) only what that label proves is its own; anything else fails naming field, value and holder."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.providers.custom_cloud.resource_provider import (
    ApiResourceProvider,
    LoadBalancerProvider,
    NetworkProvider,
    SubnetProvider,
    VolumeProvider,
)
from provisioning.sdk.errors import Conflict
from provisioning.sdk.ownership import OWNER_LABEL, URN_KEY, owner_hash

from ._api_fixtures import checked, items
from .conftest import Cloud


def _urn(kind: str, name: str) -> str:
    return f"urn:pulumi:dev::proj::pulumi-python:dynamic/custom-cloud:{kind}::{name}"


def _network(cloud: Cloud) -> str:
    return str(cloud.api.post("/v1/networks", json={"name": "base", "cidr": "10.80.0.0/16"}).json()["id"])


CASES: list[tuple[type[ApiResourceProvider], str, str, dict[str, Any]]] = [
    (NetworkProvider, "Network", "networks", {"name": "net-a", "cidr": "10.10.0.0/16"}),
    (SubnetProvider, "Subnet", "subnets", {"name": "sub-a", "cidr": "10.80.1.0/24", "zone": "us-west-1a"}),
    (VolumeProvider, "Volume", "volumes", {"name": "vol-a", "zone": "us-west-1a", "size": 10}),
    (
        LoadBalancerProvider,
        "LoadBalancer",
        "load-balancers",
        {"name": "lb-a", "region": "us-west-1", "listeners": [{"port": 80, "target_port": 8080}]},
    ),
]


@pytest.mark.parametrize(("provider_type", "kind", "path", "base"), CASES, ids=[c[1] for c in CASES])
def test_interrupted_create_is_adopted_by_its_owner_only(
    cloud: Cloud, provider_type: type[ApiResourceProvider], kind: str, path: str, base: dict[str, Any]
) -> None:
    if provider_type is SubnetProvider:
        base = {**base, "network_id": _network(cloud)}
    provider = cloud.provider(provider_type)
    urn = _urn(kind, base["name"])
    props = {**base, "idempotency_scope": f"p/s/{kind}/{base['name']}"}

    first = provider.create({**checked(provider, {**props, "labels": {"v": "1"}}), URN_KEY: urn})
    [made] = items(cloud, path)
    assert made["labels"] == {"v": "1", OWNER_LABEL: owner_hash(urn)}

    # The killed run's resource met again with other inputs (another key): adopted and converged.
    again = provider.create({**checked(provider, {**props, "labels": {"v": "2"}}), URN_KEY: urn})
    assert again.id == first.id and again.outs["labels"] == {"v": "2"}
    [made] = items(cloud, path)
    assert made["labels"] == {"v": "2", OWNER_LABEL: owner_hash(urn)}

    # Another resource (another URN) with the same name is refused, naming field, value and holder (a
    # subnet's range is checked before its name, so the same range is what a second subnet meets first).
    with pytest.raises(Conflict) as info:
        provider.create({**checked(provider, {**props, "labels": {"v": "3"}}), URN_KEY: urn + "-other"})
    field = "cidr" if provider_type is SubnetProvider else "name"
    assert info.value.field == field and str(base[field]) in str(info.value) and first.id in str(info.value)
    assert len(items(cloud, path)) == 1
