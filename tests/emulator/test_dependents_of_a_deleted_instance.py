"""Deleting an instance never fails on what depends on it: it leaves its load balancers' targets and its
volumes are detached, in the same write (raw JSON against the emulator app)."""

from __future__ import annotations

from .conftest import AsgiClient, instance_body


def test_deleting_an_instance_frees_its_balancers_and_volumes(client: AsgiClient) -> None:
    gone = client.post("/v1/instances", json=instance_body("gone", zone="us-west-1a")).json()["id"]
    kept = client.post("/v1/instances", json=instance_body("kept", zone="us-west-1a")).json()["id"]
    listeners = [{"port": 80, "protocol": "http", "target_port": 8080}]
    lb = client.post("/v1/load-balancers", json={"name": "lb", "region": "us-west-1", "listeners": listeners,
                                                 "target_instance_ids": [gone, kept]}).json()  # fmt: skip
    vol = client.post("/v1/volumes", json={"name": "data", "zone": "us-west-1a", "size": 10}).json()
    attached = client.post(f"/v1/volumes/{vol['id']}/attach", json={"instance_id": gone})
    assert attached.status_code == 200 and attached.json()["attached_to"] == gone

    assert client.delete(f"/v1/instances/{gone}").status_code == 202

    assert client.get(f"/v1/load-balancers/{lb['id']}").json()["target_instance_ids"] == [kept]
    volume = client.get(f"/v1/volumes/{vol['id']}").json()
    assert (volume["status"], volume["attached_to"]) == ("available", None)
    assert client.delete(f"/v1/volumes/{vol['id']}").status_code == 204
