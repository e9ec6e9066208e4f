"""Retained disks of machine hosts: `DELETE /instances/{id}?keep_storage=true` moves the disk to
`<state dir>/machines/volumes/<volume id>`; `DELETE /volumes/{id}` frees that folder (direct API)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.cloud import start_cloud, stop_cloud

from .host_services import require_machine_hosts
from .kernel import leftovers
from .ssh import Ssh, keypair

pytestmark = pytest.mark.e2e

POOL = "100.90.0.0/24"
"""This module's own public pool (claimed for the cloud's life)."""


def _wait(api: httpx.Client, iid: str, *, status: str | None = None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        got = api.get(f"/instances/{iid}")
        if (status is None and got.status_code == 404) or (
            status is not None and got.status_code == 200 and got.json()["status"] == status
        ):
            return
        assert time.monotonic() < deadline, f"{iid}: {got.status_code} {got.text[:200]}"
        time.sleep(0.1)


def test_deleting_a_retained_volume_frees_its_disk(tmp_path: Path) -> None:
    require_machine_hosts()
    state_dir = tmp_path / "cloud"
    state_dir.mkdir()
    cloud = start_cloud(
        state_dir / "custom-cloud.db", hosts="machine", public_pool=POOL, lifecycle="immediate", timeout=60
    )
    api = cloud.client(timeout=60)
    key, public = keypair(tmp_path)
    ssh = Ssh(key, tmp_path / "known_hosts")
    volumes = state_dir / "machines" / "volumes"
    try:
        net = api.post("/networks", json={"name": "vol", "cidr": "10.44.0.0/16"}).raise_for_status().json()
        sub = api.post("/subnets", json={"name": "vol-a", "network_id": net["id"], "cidr": "10.44.1.0/24",
                                         "zone": "us-west-1a"}).raise_for_status().json()  # fmt: skip
        inst = api.post("/instances", json={"name": "keeper", "machine_type": "micro", "zone": "us-west-1a",
                                            "subnet": sub["id"], "ssh_public_key": public},
                        ).raise_for_status().json()  # fmt: skip
        _wait(api, inst["id"], status="running")
        inst = api.get(f"/instances/{inst['id']}").raise_for_status().json()
        ssh.trust(inst["ssh_host"], inst["ssh_port"], inst["ssh_host_key_fingerprints"])
        ssh.run(inst["ssh_host"], inst["ssh_port"], "echo precious > /etc/kept-on-disk")

        api.delete(f"/instances/{inst['id']}", params={"keep_storage": "true"}).raise_for_status()
        _wait(api, inst["id"])
        retained = [v for v in api.get("/volumes").raise_for_status().json()["items"]
                    if v["source_instance_id"] == inst["id"]]  # fmt: skip
        assert len(retained) == 1, retained
        vid = retained[0]["id"]
        assert (volumes / vid / "upper" / "etc" / "kept-on-disk").read_text() == "precious\n"
        assert not (state_dir / "machines" / "instances" / inst["id"]).exists()

        # a plain volume (never a disk) deletes as before; the retained one frees its folder
        plain = api.post(
            "/volumes", json={"name": "plain", "zone": "us-west-1a", "size": 10}
        ).raise_for_status()
        assert api.delete(f"/volumes/{plain.json()['id']}").status_code == 204
        assert (volumes / vid).is_dir()
        assert api.delete(f"/volumes/{vid}").status_code == 204
        assert api.get(f"/volumes/{vid}").status_code == 404
        assert not (volumes / vid).exists()
        assert list(volumes.iterdir()) == []
    finally:
        api.close()
        stop_cloud(cloud.process)
    left = leftovers(state_dir)
    assert left == {"netns": [], "links": [], "routes": [], "mounts": [], "processes": []}, left
