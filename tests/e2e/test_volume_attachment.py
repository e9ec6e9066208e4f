"""Attached volumes inside machine hosts: `POST /volumes/{id}/attach` shows the volume's folder at
`/mnt/volumes/<volume id>` in the running instance and after every boot; `/detach` unmounts it; the files stay
with the volume (`<state dir>/machines/volumes/<id>/data`) and follow it to another instance."""

from __future__ import annotations

from pathlib import Path

import pytest

from .kernel import assert_nothing_left
from .machine_cloud import ZONE, MachineCloud, machine_cloud

pytestmark = pytest.mark.e2e

CIDR = "10.53.0.0/16"
POOL = "100.91.0.0/24"
"""This module's own public pool (claimed for the cloud's life)."""


def test_an_attached_volume_is_mounted_inside_and_follows_its_attachment(tmp_path: Path) -> None:
    with machine_cloud(tmp_path, pool=POOL, kind=MachineCloud, api_timeout=60) as c:
        api, ssh, folder = c.api, c.ssh, c.machines / "volumes"
        subnet = c.subnet("att", CIDR, "10.53.1.0/24")

        def server(name: str) -> tuple[str, int, str]:
            inst = c.create(name, timeout=30, subnet=subnet)
            return inst["ssh_host"], inst["ssh_port"], inst["id"]

        host, port, first = server("first")
        vid = api.post("/volumes", json={"name": "data", "zone": ZONE, "size": 10}).raise_for_status()
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
        c.wait_status(first, "running", timeout=30)
        assert ssh.run(host, port, f"cat {where}/note") == "kept\n"  # mounted again at boot
        assert ssh.run(host, port, is_mounted) == "mounted\n"

        api.post(f"/volumes/{vid}/detach").raise_for_status()
        assert ssh.run(host, port, is_mounted) == "not-mounted\n"
        assert ssh.run(host, port, f"cat {where}/note 2>/dev/null || echo absent") == "absent\n"

        host2, port2, second = server("second")
        api.post(f"/volumes/{vid}/attach", json={"instance_id": second}).raise_for_status()
        assert ssh.run(host2, port2, f"cat {where}/note") == "kept\n"  # the files follow the volume

        api.delete(f"/instances/{second}").raise_for_status()  # deleting the instance detaches the volume
        c.wait_deleted(second, timeout=30)
        assert api.get(f"/volumes/{vid}").json()["status"] == "available"
        assert api.delete(f"/volumes/{vid}").status_code == 204
        assert not (folder / vid).exists()
        api.delete(f"/instances/{first}").raise_for_status()
    assert_nothing_left(c.state_dir)
