"""Rules between a resource and the one its reference points at decide at preview, before that one exists:
the resource passes on the referenced resource's fields its declaration names with `Behind(...)`."""

from __future__ import annotations

from typing import Any

import pulumi

from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.providers.custom_cloud.specs import SERVER, SUBNET
from provisioning.sdk.fields import behind_fields

from .conftest import InputsMocks

SUBNET_BASE = {"name": "sub", "cidr": "10.30.1.0/24", "zone": "us-west-1a"}
SERVER_BASE = {"name": "web", "machine_type": "micro", "zone": "us-west-1a", "region": "us-west-1"}


def _rules(violations: list[Any]) -> dict[str, str]:
    return {v.field: v.rule for v in violations}


def test_a_subnet_outside_its_new_networks_range_fails_before_the_network_exists() -> None:
    found = _rules(SUBNET.check({**SUBNET_BASE, "network_cidr": "10.31.0.0/16"}, unknown={"network_id"}))
    assert found == {
        "cidr": "cidr '10.30.1.0/24' is not inside the range '10.31.0.0/16' of network_id "
        "(known once the network exists)"
    }
    assert SUBNET.check({**SUBNET_BASE, "network_cidr": "10.30.0.0/16"}, unknown={"network_id"}) == []
    known = _rules(SUBNET.check({**SUBNET_BASE, "network_id": "net-1", "network_cidr": "10.31.0.0/16"}))
    assert "of network_id 'net-1'" in known["cidr"]


def test_a_subnet_in_a_zone_outside_its_networks_region_fails() -> None:
    found = _rules(SUBNET.check({**SUBNET_BASE, "network_region": "eu-west-1"}, unknown={"network_id"}))
    assert found["zone"].startswith("zone 'us-west-1a' is not in the region 'eu-west-1' of network_id")
    assert SUBNET.check({**SUBNET_BASE, "network_id": "net-1"}) == []  # a network of every region


def test_a_server_outside_its_new_subnets_zone_fails_before_the_subnet_exists() -> None:
    found = _rules(SERVER.check({**SERVER_BASE, "subnet_zone": "us-west-1b"}, unknown={"subnet", "vpc"}))
    assert found == {
        "zone": "zone 'us-west-1a' differs from the zone of subnet (known once the subnet exists) "
        "('us-west-1b'): a server must be in its subnet's zone"
    }
    assert SERVER.check({**SERVER_BASE, "subnet_zone": "us-west-1a"}, unknown={"subnet"}) == []


def test_the_declarations_name_what_they_take_from_their_references() -> None:
    assert {n: (b.reference, b.field) for n, b in behind_fields(SUBNET.model).items()} == {
        "network_cidr": ("network_id", "cidr"),
        "network_region": ("network_id", "region"),
    }
    assert {n: (b.reference, b.field) for n, b in behind_fields(SERVER.model).items()} == {
        "subnet_zone": ("subnet", "zone")
    }


@pulumi.runtime.test
def _program() -> pulumi.Output[Any]:
    network = Network("net", cidr="10.31.0.0/16", region="us-west-1")
    subnet = Subnet("sub", network_id=network.id, cidr="10.31.1.0/24", zone="us-west-1b")
    wired = Server("wired", machine_type="micro", zone="us-west-1b", subnet=subnet.id)
    literal = Server("literal", machine_type="micro", zone="us-west-1a", subnet="subnet-1")
    return pulumi.Output.all(wired.id, literal.id)


def test_resources_pass_on_the_fields_of_the_resources_their_references_come_from(mocks: InputsMocks) -> None:
    _program()
    subnet, wired, literal = mocks.inputs["sub"], mocks.inputs["wired"], mocks.inputs["literal"]
    assert (subnet["network_cidr"], subnet["network_region"]) == ("10.31.0.0/16", "us-west-1")
    assert wired["subnet_zone"] == "us-west-1b"
    assert literal.get("subnet_zone") is None  # a plain id: the provider asks the API at preview instead
