"""The VolumeAttachment provider (and the Volume provider's delete of an attached volume), called directly
against the in-process emulator app."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from provisioning.providers.custom_cloud import Server, Volume, VolumeAttachment, VolumeAttachmentArgs
from provisioning.providers.custom_cloud.attachment import VolumeAttachmentProvider, attachment_id
from provisioning.providers.custom_cloud.resource_provider import VolumeProvider
from provisioning.sdk.errors import Conflict
from provisioning.sdk.registry import declaration
from provisioning.sdk.unknowns import UNKNOWN

from ._api_fixtures import checked, failures
from .conftest import Cloud, InputsMocks


def _server(cloud: Cloud, name: str, zone: str = "us-west-1a") -> str:
    r = cloud.api.post("/v1/instances", json={"name": name, "machine_type": "micro", "zone": zone})
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def _volume(cloud: Cloud, name: str, zone: str = "us-west-1a") -> str:
    r = cloud.api.post("/v1/volumes", json={"name": name, "zone": zone, "size": 10})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _volume_doc(cloud: Cloud, vid: str) -> dict[str, Any]:
    doc: dict[str, Any] = cloud.api.get(f"/v1/volumes/{vid}").json()
    return doc


def test_declared_once_and_exported() -> None:
    decl = declaration("custom-cloud:VolumeAttachment")
    assert VolumeAttachment.declaration is decl
    assert set(decl.model.model_fields) == {"volume_id", "server_id", "volume_zone", "server_zone"}
    assert set(VolumeAttachmentArgs.__annotations__) == {"volume_id", "server_id"}


def test_check_asks_the_api_for_existence_and_zone_and_attach_refuses_a_held_volume(cloud: Cloud) -> None:
    provider = cloud.provider(VolumeAttachmentProvider)
    web, east = _server(cloud, "web"), _server(cloud, "east", zone="us-west-1b")
    vid = _volume(cloud, "data")
    assert set(failures(provider, {})) == {"volume_id", "server_id"}

    missing = failures(provider, {"volume_id": "vol-0000000000000000", "server_id": "i-0000000000000000"})
    assert "'vol-0000000000000000' does not exist" in missing["volume_id"]
    assert "'i-0000000000000000' does not exist" in missing["server_id"]

    zones = failures(provider, {"volume_id": vid, "server_id": east})["server_id"]
    assert east in zones and vid in zones and "'us-west-1b'" in zones and "'us-west-1a'" in zones
    assert "a volume attaches only to a server in its zone" in zones

    assert checked(provider, {"volume_id": vid, "server_id": web})["server_id"] == web
    cloud.api.post(f"/v1/volumes/{vid}/attach", json={"instance_id": web})
    other = _server(cloud, "other")
    # a held volume passes check: the engine checks a replacement again without its old inputs, so only
    # the attach can tell another holder from the attachment being replaced (detached first)
    assert provider.check({}, {"volume_id": vid, "server_id": other}).failures == []
    with pytest.raises(Conflict) as refused:
        provider.create(checked(provider, {"volume_id": vid, "server_id": other}))
    assert refused.value.field == "volume_id" and vid in str(refused.value) and web in str(refused.value)
    assert "a volume attaches to one server at a time" in str(refused.value)
    assert cloud.api.get(f"/v1/volumes/{vid}").json()["attached_to"] == web  # nothing changed
    # values not known yet (a server being replaced): nothing is asked
    assert failures(provider, {"volume_id": vid, "server_id": UNKNOWN}) == {}


def test_diff_replaces_and_keeps_one_server_per_volume(cloud: Cloud) -> None:
    provider = cloud.provider(VolumeAttachmentProvider)
    olds = {"volume_id": "vol-1", "server_id": "i-1"}
    assert provider.diff("vol-1:i-1", olds, dict(olds)).changes is False
    server = provider.diff("vol-1:i-1", olds, {**olds, "server_id": "i-2"})
    assert server.replaces == ["server_id"] and server.delete_before_replace is True
    replacing = provider.diff("vol-1:i-1", olds, {**olds, "server_id": UNKNOWN})
    assert replacing.replaces == ["server_id"] and replacing.delete_before_replace is True
    volume = provider.diff("vol-1:i-1", olds, {**olds, "volume_id": "vol-2"})
    assert volume.replaces == ["volume_id"] and volume.delete_before_replace is False


def test_create_read_delete(cloud: Cloud) -> None:
    provider = cloud.provider(VolumeAttachmentProvider)
    web, vid = _server(cloud, "web"), _volume(cloud, "data")
    inputs = checked(provider, {"volume_id": vid, "server_id": web})
    created = provider.create(inputs)
    assert created.id == attachment_id(vid, web) == f"{vid}:{web}"
    assert created.outs == {"volume_id": vid, "server_id": web}
    assert _volume_doc(cloud, vid)["status"] == "in-use" and _volume_doc(cloud, vid)["attached_to"] == web
    assert provider.create(inputs).id == created.id  # a retried create finds its attachment

    read = provider.read(created.id, created.outs)
    assert read.id == created.id and read.inputs == {"volume_id": vid, "server_id": web}
    adopted = provider.read(created.id, {})  # import: the id says it all
    assert adopted.id == created.id and adopted.inputs == {"volume_id": vid, "server_id": web}

    cloud.api.post(f"/v1/volumes/{vid}/detach")  # drift: detached outside the stack
    assert provider.read(created.id, created.outs).id == ""
    other = _server(cloud, "other")
    cloud.api.post(f"/v1/volumes/{vid}/attach", json={"instance_id": other})  # ... and attached elsewhere
    assert provider.read(created.id, created.outs).id == ""
    provider.delete(created.id, created.outs)  # not ours any more: left alone
    assert _volume_doc(cloud, vid)["attached_to"] == other
    with pytest.raises(Conflict) as info:
        provider.create(inputs)
    assert vid in str(info.value) and other in str(info.value)

    cloud.api.post(f"/v1/volumes/{vid}/detach")
    provider.create(inputs)
    provider.delete(created.id, created.outs)
    assert _volume_doc(cloud, vid)["status"] == "available" and _volume_doc(cloud, vid)["attached_to"] is None
    provider.delete(created.id, created.outs)  # detached already: done
    cloud.api.delete(f"/v1/volumes/{vid}")
    provider.delete(created.id, created.outs)  # volume gone: done


def test_deleting_an_attached_volume_detaches_it_first(cloud: Cloud) -> None:
    volumes = cloud.provider(VolumeProvider)
    web = _server(cloud, "web")
    props = {"name": "data", "zone": "us-west-1a", "size": 10, "idempotency_scope": "p/s/Volume/data"}
    created = volumes.create(checked(volumes, props))
    cloud.api.post(f"/v1/volumes/{created.id}/attach", json={"instance_id": web})
    volumes.delete(created.id, created.outs)
    assert cloud.api.get(f"/v1/volumes/{created.id}").status_code == 404
    volumes.delete(created.id, created.outs)  # gone already: done


def test_the_declared_rule_refuses_two_zones_before_any_id_is_known(cloud: Cloud) -> None:
    provider = cloud.provider(VolumeAttachmentProvider)
    preview = {
        "volume_id": UNKNOWN,
        "server_id": UNKNOWN,
        "volume_zone": "us-west-1b",
        "server_zone": "us-west-1a",
    }
    reason = failures(provider, preview)["server_id"]
    assert "'us-west-1a'" in reason and "'us-west-1b'" in reason
    assert "a volume attaches only to a server in its zone" in reason
    assert failures(provider, {**preview, "server_zone": "us-west-1b"}) == {}


@pulumi.runtime.test
def _attach_in_program() -> pulumi.Output[Any]:
    volume = Volume("data", zone="us-west-1b", size=10)
    server = Server("web", machine_type="micro", zone="us-west-1a")
    wired = VolumeAttachment("wired", volume_id=volume.id, server_id=server.id)
    literal = VolumeAttachment("literal", volume_id="vol-1", server_id="i-1")
    return pulumi.Output.all(wired.volume_id, literal.volume_id)


def test_the_resource_passes_on_the_zones_of_the_resources_its_ids_come_from(mocks: InputsMocks) -> None:
    _attach_in_program()
    wired, literal = mocks.inputs["wired"], mocks.inputs["literal"]
    assert wired["volume_id"] == "data-id" and wired["server_id"] == "web-id"
    assert wired["volume_zone"] == "us-west-1b" and wired["server_zone"] == "us-west-1a"
    assert literal.get("volume_zone") is None and literal.get("server_zone") is None


def test_repeated_actions_act_again(cloud: Cloud) -> None:
    """Attach after detach, and stop after start, are new requests, not replays of the first answer."""
    provider = cloud.provider(VolumeAttachmentProvider)
    web, vid = _server(cloud, "web"), _volume(cloud, "data")
    with provider.client() as api:
        api.attach_volume(vid, web)
        api.detach_volume(vid)
        assert api.attach_volume(vid, web).status == "in-use"
        assert _volume_doc(cloud, vid)["attached_to"] == web
        api.instance_action(web, "stop")
        api.instance_action(web, "start")
        api.instance_action(web, "stop")
    assert cloud.api.get(f"/v1/instances/{web}").json()["status"] in ("stopping", "stopped")
