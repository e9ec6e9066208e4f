"""Orphan gap: a create that meets its own name (an interrupted run's server, inputs changed since) adopts
the server only when its ownership label proves it is this resource's; the label never shows as a diff."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.providers.custom_cloud.server import ServerProvider
from provisioning.sdk.errors import Conflict
from provisioning.sdk.ownership import OWNER_LABEL, URN_KEY, owner_hash, owner_of

from .conftest import SERVER_BASE, Cloud, checked_server

URN = "urn:pulumi:dev::proj::pulumi-python:dynamic/custom-cloud:Server::web-1"
BASE = SERVER_BASE


def checked(provider: ServerProvider, **changes: Any) -> dict[str, Any]:
    return {**checked_server(provider, **changes), URN_KEY: URN}  # what the host's patched Create passes


def live(cloud: Cloud) -> list[dict[str, Any]]:
    return [i for i in cloud.instances() if i["status"] != "deleting"]


def test_owner_hash_comes_from_the_urn_else_the_scope() -> None:
    assert owner_hash(URN) == owner_of({URN_KEY: URN, "idempotency_scope": "x"})
    assert len(owner_hash(URN)) == 16 and owner_hash(URN) != owner_hash(URN + "2")
    assert owner_of({"idempotency_scope": "p/s/t/n"}) == owner_hash("p/s/t/n")
    assert owner_of({}) is None


def test_create_stamps_the_owner_label_and_hides_it(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    created = provider.create(checked(provider, labels={"tier": "web"}))
    [server] = cloud.instances()
    assert server["labels"] == {"tier": "web", OWNER_LABEL: owner_hash(URN)}
    assert created.outs["labels"] == {"tier": "web"}
    read = provider.read(created.id, created.outs)
    assert read.inputs is not None and read.inputs["labels"] == {"tier": "web"}
    assert read.outs["labels"] == {"tier": "web"}
    assert provider.diff(created.id, read.outs, checked(provider, labels={"tier": "web"})).changes is False

    news = checked(provider, labels={"tier": "db"})
    updated = provider.update(created.id, created.outs, news)
    assert updated.outs["labels"] == {"tier": "db"}
    [server] = cloud.instances()
    assert server["labels"] == {"tier": "db", OWNER_LABEL: owner_hash(URN)}  # preserved by update


def test_changed_inputs_after_interruption_adopt_and_converge(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    first = provider.create(checked(provider, labels={"v": "1"}))  # the killed run's server
    # recovery with other inputs: another body, so another key, so the POST meets the name (409)
    again = provider.create(checked(provider, labels={"v": "2"}, disk_size=40, machine_type="medium"))
    assert again.id == first.id
    [server] = live(cloud)
    assert server["labels"] == {"v": "2", OWNER_LABEL: owner_hash(URN)}
    assert server["disk_size"] == 40 and server["machine_type"] == "medium" and server["status"] == "running"
    assert again.outs["labels"] == {"v": "2"} and again.outs["disk_size"] == 40


def test_adopted_server_that_differs_in_a_fixed_field_is_made_anew(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    first = provider.create(checked(provider, disk_size=40))
    again = provider.create(checked(provider, disk_type="hdd", disk_size=40))
    assert again.id != first.id
    [server] = live(cloud)
    assert server["id"] == again.id and server["disk_type"] == "hdd"
    shrunk = provider.create(checked(provider, disk_type="hdd", disk_size=30))  # disks cannot shrink
    assert shrunk.id != again.id and [i["id"] for i in live(cloud)] == [shrunk.id]


@pytest.mark.parametrize("labels", [{}, {OWNER_LABEL: "0123456789abcdef"}])
def test_server_not_ours_is_a_conflict_naming_the_field(cloud: Cloud, labels: dict[str, str]) -> None:
    made = cloud.api.post(
        "/v1/instances",
        json={"name": "web-1", "machine_type": "small", "zone": "us-west-1a", "labels": labels},
    ).json()
    provider = cloud.provider(ServerProvider)
    with pytest.raises(Conflict) as info:
        provider.create(checked(provider))
    assert info.value.field == "name" and info.value.details["value"] == "web-1"
    assert "'web-1'" in str(info.value) and made["id"] in str(info.value) and OWNER_LABEL in str(info.value)
    assert [i["id"] for i in cloud.instances()] == [made["id"]]  # untouched


def test_same_name_in_another_zone_is_not_adopted(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    other = provider.create(checked(provider, zone="us-west-1b"))
    mine = provider.create(checked(provider))
    assert mine.id != other.id and len(live(cloud)) == 2


def test_other_resource_with_same_name_is_not_adopted(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider)
    provider.create(checked(provider))
    other = {**checked(provider, labels={"x": "y"}), URN_KEY: URN.replace("::web-1", "::web-1-other")}
    with pytest.raises(Conflict):
        provider.create(other)
    assert len(live(cloud)) == 1
