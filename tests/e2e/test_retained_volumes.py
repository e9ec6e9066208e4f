"""Retained disks of machine hosts: `DELETE /instances/{id}?keep_storage=true` moves the disk to
`<state dir>/machines/volumes/<volume id>`; `DELETE /volumes/{id}` frees that folder (direct API)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .kernel import assert_nothing_left
from .machine_cloud import ZONE, MachineCloud, machine_cloud

pytestmark = pytest.mark.e2e

POOL = "100.90.0.0/24"
"""This module's own public pool (claimed for the cloud's life)."""


def test_deleting_a_retained_volume_frees_its_disk(tmp_path: Path) -> None:
    with machine_cloud(tmp_path, pool=POOL, kind=MachineCloud, api_timeout=60) as c:
        api, volumes = c.api, c.machines / "volumes"
        inst = c.create("keeper", subnet=c.subnet("vol", "10.44.0.0/16", "10.44.1.0/24"))
        c.sh(inst, "echo precious > /etc/kept-on-disk")

        api.delete(f"/instances/{inst['id']}", params={"keep_storage": "true"}).raise_for_status()
        c.wait_deleted(inst["id"], timeout=90)
        retained = [v for v in api.get("/volumes").raise_for_status().json()["items"]
                    if v["source_instance_id"] == inst["id"]]  # fmt: skip
        assert len(retained) == 1, retained
        vid = retained[0]["id"]
        assert (volumes / vid / "upper" / "etc" / "kept-on-disk").read_text() == "precious\n"
        assert not (c.machines / "instances" / inst["id"]).exists()

        # a plain volume (never a disk) deletes as before; the retained one frees its folder
        plain = api.post("/volumes", json={"name": "plain", "zone": ZONE, "size": 10}).raise_for_status()
        assert api.delete(f"/volumes/{plain.json()['id']}").status_code == 204
        assert (volumes / vid).is_dir()
        assert api.delete(f"/volumes/{vid}").status_code == 204
        assert api.get(f"/volumes/{vid}").status_code == 404
        assert not (volumes / vid).exists()
        assert list(volumes.iterdir()) == []
    assert_nothing_left(c.state_dir)
