"""Attached volumes inside machine hosts: `POST /volumes/{id}/attach` shows the volume's folder at
`/mnt/volumes/<volume id>` in the running instance and after every boot; `/detach` unmounts it; the files stay
with the volume (`<state dir>/machines/volumes/<id>/data`) and follow it to another instance."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cloud import start_cloud, stop_cloud

from .host_services import require_machine_hosts
from .kernel import leftovers
from .ssh import Ssh, keypair

pytestmark = pytest.mark.e2e

CIDR = "10.53.0.0/16"
POOL = "100.91.0.0/24"
"""This module's own public pool (claimed for the cloud's life)."""


def _running(api: httpx.Client, iid: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        got = api.get(f"/instances/{iid}").raise_for_status().json()
        if got["status"] == "running":
            return dict(got)
        assert time.monotonic() < deadline, got
        time.sleep(0.1)


def test_an_attached_volume_is_mounted_inside_and_follows_its_attachment(tmp_path: Path) -> None:
    require_machine_hosts()
    state_dir = tmp_path / "cloud"
    state_dir.mkdir()
    cloud = start_cloud(
        state_dir / "custom-cloud.db", hosts="machine", public_pool=POOL, lifecycle="immediate", timeout=60
    )
    api = cloud.client(timeout=60)
    key, public = keypair(tmp_path)
    ssh = Ssh(key, tmp_path / "known_hosts")
    folder = state_dir / "machines" / "volumes"

    def server(name: str) -> tuple[str, int, str]:
        made = api.post("/instances", json={"name": name, "machine_type": "micro", "zone": "us-west-1a",
                                            "subnet": sub["id"], "ssh_public_key": public},
                        ).raise_for_status().json()  # fmt: skip
        inst = _running(api, made["id"])
        ssh.trust(inst["ssh_host"], inst["ssh_port"], inst["ssh_host_key_fingerprints"])
        return inst["ssh_host"], inst["ssh_port"], made["id"]

    try:
        net = api.post("/networks", json={"name": "att", "cidr": CIDR}).raise_for_status().json()
        sub = api.post("/subnets", json={"name": "att-a", "network_id": net["id"], "cidr": "10.53.1.0/24",
                                         "zone": "us-west-1a"}).raise_for_status().json()  # fmt: skip
        host, port, first = server("first")
        vid = api.post("/volumes", json={"name": "data", "zone": "us-west-1a", "size": 10}).raise_for_status()
        vid = vid.json()["id"]
        where = f"/mnt/volumes/{vid}"
        is_mounted = f"mountpoint -q {where} && echo mounted || echo not-mounted"
        assert ssh.run(host, port, is_mounted) == "not-mounted\n"

        api.post(f"/volumes/{vid}/attach", json={"instance_id": first}).raise_for_status()
        assert ssh.run(host, port, is_mounted) == "mounted\n"
        ssh.run(host, port, f"echo kept > {where}/note")
        assert (folder / vid / "data" / "note").read_text() == "kept\n"
        assert "/mnt/volumes" not in Path("/proc/self/mountinfo").read_text()  # only inside the instance

        api.post(f"/instances/{first}/stop").raise_for_status()
        api.post(f"/instances/{first}/start").raise_for_status()
        _running(api, first)
        assert ssh.run(host, port, f"cat {where}/note") == "kept\n"  # mounted again at boot
        assert ssh.run(host, port, is_mounted) == "mounted\n"

        api.post(f"/volumes/{vid}/detach").raise_for_status()
        assert ssh.run(host, port, is_mounted) == "not-mounted\n"
        assert ssh.run(host, port, f"cat {where}/note 2>/dev/null || echo absent") == "absent\n"

        host2, port2, second = server("second")
        api.post(f"/volumes/{vid}/attach", json={"instance_id": second}).raise_for_status()
        assert ssh.run(host2, port2, f"cat {where}/note") == "kept\n"  # the files follow the volume

        api.delete(f"/instances/{second}").raise_for_status()  # deleting the instance detaches the volume
        deadline = time.monotonic() + 30
        while api.get(f"/instances/{second}").status_code != 404:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert api.get(f"/volumes/{vid}").json()["status"] == "available"
        assert api.delete(f"/volumes/{vid}").status_code == 204
        assert not (folder / vid).exists()
        api.delete(f"/instances/{first}").raise_for_status()
    finally:
        api.close()
        stop_cloud(cloud.process)
    left = leftovers(state_dir)
    assert left == {"netns": [], "links": [], "routes": [], "mounts": [], "processes": []}, left
