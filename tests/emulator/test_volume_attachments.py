"""Attaching and detaching volumes through the HTTP layer, in process, on raw JSON (not the shared models)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from provisioning.emulator.errors import ApiError
from provisioning.emulator.hosts import RecordHostBackend

from .conftest import AsgiClient, instance_body


def _instance(client: AsgiClient, name: str, zone: str = "us-west-1a") -> str:
    r = client.post("/v1/instances", json=instance_body(name, zone=zone))
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def _volume(client: AsgiClient, name: str, zone: str = "us-west-1a") -> str:
    r = client.post("/v1/volumes", json={"name": name, "zone": zone, "size": 10})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _attach(client: AsgiClient, vid: str, iid: str, **kw: Any) -> Any:
    return client.post(f"/v1/volumes/{vid}/attach", json={"instance_id": iid}, **kw)


def test_attach_detach_round_trip(client: AsgiClient) -> None:
    iid, vid = _instance(client, "web"), _volume(client, "data")
    r = _attach(client, vid, iid)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["status"] == "in-use" and doc["attached_to"] == iid and doc["id"] == vid
    assert client.get(f"/v1/volumes/{vid}").json()["attached_to"] == iid

    again = _attach(client, vid, iid)  # the same instance: a no-op
    assert again.status_code == 200 and again.json()["updated_at"] == doc["updated_at"]

    r = client.post(f"/v1/volumes/{vid}/detach")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "available" and r.json()["attached_to"] is None
    again = client.post(f"/v1/volumes/{vid}/detach")  # detached already: a no-op
    assert again.status_code == 200 and again.json()["updated_at"] == r.json()["updated_at"]
    assert client.get(f"/v1/volumes/{vid}").json()["status"] == "available"

    assert _attach(client, vid, iid).json()["status"] == "in-use"  # attaching again after a detach works
    assert client.delete(f"/v1/volumes/{vid}").status_code == 409  # deleting while attached: still 409
    client.post(f"/v1/volumes/{vid}/detach")
    assert client.delete(f"/v1/volumes/{vid}").status_code == 204


def test_attached_elsewhere_is_a_conflict_naming_the_holder(client: AsgiClient) -> None:
    first, second, vid = _instance(client, "a"), _instance(client, "b"), _volume(client, "data")
    assert _attach(client, vid, first).status_code == 200
    r = _attach(client, vid, second)
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "conflict"
    assert vid in error["message"] and first in error["message"]
    assert error["details"]["dependents"] == [first]
    assert client.get(f"/v1/volumes/{vid}").json()["attached_to"] == first


@pytest.mark.parametrize(
    ("zone", "instance", "rule"),
    [("us-west-1b", "mine", "same_zone"), ("us-west-1a", "i-0000000000000000", "exists")],
)
def test_attach_validation_names_field_value_and_rule(
    client: AsgiClient, zone: str, instance: str, rule: str
) -> None:
    vid = _volume(client, "data", zone="us-west-1a")
    iid = _instance(client, "elsewhere", zone=zone) if instance == "mine" else instance
    r = _attach(client, vid, iid)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"]["field"] == "instance_id"
    assert error["details"]["value"] == iid and error["details"]["rule"] == rule
    if rule == "same_zone":
        assert "us-west-1a" in error["message"] and "us-west-1b" in error["message"]
    assert client.get(f"/v1/volumes/{vid}").json()["status"] == "available"


def test_attach_to_a_deleting_instance_is_invalid_state(make_client: Any) -> None:
    client = make_client(lifecycle="manual")  # the instance stays `deleting` until advanced
    iid, vid = _instance(client, "going"), _volume(client, "data")
    assert client.delete(f"/v1/instances/{iid}").json()["status"] == "deleting"
    r = _attach(client, vid, iid)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "invalid_state" and iid in r.json()["error"]["message"]


def test_bad_requests(client: AsgiClient) -> None:
    iid, vid = _instance(client, "web"), _volume(client, "data")
    assert _attach(client, "vol-0000000000000000", iid).status_code == 404
    assert client.post("/v1/volumes/vol-0000000000000000/detach").status_code == 404
    extra = client.post(f"/v1/volumes/{vid}/attach", json={"instance_id": iid, "device": "/dev/sdb"})
    assert extra.status_code == 422
    assert client.post(f"/v1/volumes/{vid}/attach", json={}).status_code == 422


def test_an_idempotency_key_replays_the_first_answer(client: AsgiClient) -> None:
    iid, vid = _instance(client, "web"), _volume(client, "data")
    first = _attach(client, vid, iid, headers={"Idempotency-Key": "attach-1"})
    client.post(f"/v1/volumes/{vid}/detach")
    replay = _attach(client, vid, iid, headers={"Idempotency-Key": "attach-1"})
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json() == first.json()
    assert client.get(f"/v1/volumes/{vid}").json()["status"] == "available"  # a replay changes nothing


class _Hooks(RecordHostBackend):
    """Record hosts that also note the optional volume hooks (and can be told to fail one)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.fail = False

    def attach_volume(self, instance_id: str, volume_id: str) -> None:
        if self.fail:
            raise ApiError("machine host failed: mount refused")  # as machine hosts report it
        self.calls.append(("attach", instance_id, volume_id))

    def detach_volume(self, instance_id: str, volume_id: str) -> None:
        self.calls.append(("detach", instance_id, volume_id))


def test_host_hooks_run_on_changes_only_and_a_failing_one_undoes_the_attach(client: AsgiClient) -> None:
    hooks = _Hooks()
    client.app.state.backend.hosts = hooks
    iid, vid = _instance(client, "web"), _volume(client, "data")
    _attach(client, vid, iid)
    _attach(client, vid, iid)
    client.post(f"/v1/volumes/{vid}/detach")
    client.post(f"/v1/volumes/{vid}/detach")
    assert hooks.calls == [("attach", iid, vid), ("detach", iid, vid)]

    hooks.fail = True
    failed = _attach(client, vid, iid)
    assert failed.status_code == 500 and "mount refused" in failed.json()["error"]["message"]
    assert client.get(f"/v1/volumes/{vid}").json()["attached_to"] is None


def test_detach_all_frees_every_volume_of_an_instance(client: AsgiClient) -> None:
    backend = client.app.state.backend
    iid, other = _instance(client, "web"), _instance(client, "other")
    mine = [_volume(client, "a"), _volume(client, "b")]
    theirs = _volume(client, "c")
    for vid in mine:
        _attach(client, vid, iid)
    _attach(client, theirs, other)
    with backend.store.write() as conn:
        detached = backend.detach_all(conn, "test-project-id-unused", iid, time.time())
    assert detached == []  # another project's instance of that id: nothing of this project moves
    project_id = client.get(f"/v1/volumes/{theirs}").json()["project_id"]
    with backend.store.write() as conn:
        assert backend.detach_all(conn, project_id, iid, time.time()) == mine
    for vid in mine:
        doc = client.get(f"/v1/volumes/{vid}").json()
        assert doc["status"] == "available" and doc["attached_to"] is None
    assert client.get(f"/v1/volumes/{theirs}").json()["attached_to"] == other
