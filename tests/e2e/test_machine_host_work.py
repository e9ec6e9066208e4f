"""Machine host work outside the write transaction, against a real emulator process (`--hosts machine`):
another project writes while boots are under way, and a boot that fails leaves no host and no instance."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cloud import CloudHandle, start_cloud, stop_cloud

from .host_services import require_machine_hosts
from .kernel import leftovers

pytestmark = pytest.mark.e2e

POOL = "100.89.0.0/24"
"""This module's own public pool (claimed for the cloud's life)."""

BOOTS = 8


@dataclass
class Clouds:
    """The emulator and one client per project (A: the bootstrap project, B: made through /admin)."""

    cloud: CloudHandle
    a: httpx.Client
    b: httpx.Client
    state_dir: Path


@pytest.fixture(scope="module")
def clouds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clouds]:
    require_machine_hosts()
    state_dir = tmp_path_factory.mktemp("host-work") / "cloud"
    state_dir.mkdir()
    cloud = start_cloud(
        state_dir / "custom-cloud.db", hosts="machine", public_pool=POOL, lifecycle="immediate", timeout=60
    )
    admin = {"Authorization": f"Bearer {cloud.admin_token}"}
    made = httpx.post(f"{cloud.root}/admin/projects", json={"name": "b"}, headers=admin).raise_for_status()
    a = cloud.client(timeout=120)
    b = httpx.Client(base_url=cloud.url, headers={"Authorization": f"Bearer {made.json()['api_key']}"})
    try:
        yield Clouds(cloud, a, b, state_dir)
    finally:
        a.close()
        b.close()
        stop_cloud(cloud.process)
    left = leftovers(state_dir)
    assert left == {"netns": [], "links": [], "routes": [], "mounts": [], "processes": []}, left


def _visible_booting(api: httpx.Client, timeout: float = 30) -> dict[str, Any]:
    """An instance listed while its host boots: `provisioning` with no SSH endpoint yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for item in api.get("/instances").raise_for_status().json()["items"]:
            if item["ssh_host"] is None:
                assert item["status"] == "provisioning", item  # never running before its host is up
                return dict(item)
        time.sleep(0.005)
    raise AssertionError("no instance was ever seen with its host booting")


def _delete_all(api: httpx.Client) -> None:
    ids = [i["id"] for i in api.get("/instances").raise_for_status().json()["items"]]
    for iid in ids:
        api.delete(f"/instances/{iid}").raise_for_status()
    for iid in ids:
        assert api.get(f"/instances/{iid}").status_code == 404


def test_another_project_writes_while_boots_are_under_way(clouds: Clouds) -> None:
    def create(i: int) -> dict[str, Any]:
        body = {"name": f"boot-{i}", "machine_type": "micro", "zone": "us-west-1a", "external_ip": False}
        doc: dict[str, Any] = clouds.a.post("/instances", json=body).raise_for_status().json()
        return doc

    with ThreadPoolExecutor(BOOTS) as pool:
        futures = [pool.submit(create, i) for i in range(BOOTS)]
        _visible_booting(clouds.a)  # the boots are under way (they take turns on the host)
        net = clouds.b.post("/networks", json={"name": "meanwhile", "cidr": "10.47.0.0/16"})
        assert net.status_code == 201, net.text
        assert not all(f.done() for f in futures)  # B's write did not wait for A's boots
        docs = [f.result() for f in futures]
    for doc in docs:
        assert doc["ssh_host"] == doc["private_ip"] and len(doc["ssh_host_key_fingerprints"]) == 1
        assert clouds.a.get(f"/instances/{doc['id']}").json()["status"] == "running"
    _delete_all(clouds.a)
    clouds.b.delete(f"/networks/{net.json()['id']}").raise_for_status()


def test_a_failed_boot_leaves_no_host_and_no_instance(clouds: Clouds) -> None:
    body = {"name": "twin", "machine_type": "micro", "zone": "us-west-1a", "external_ip": False}
    first = clouds.a.post("/instances", json=body).raise_for_status().json()  # A's default VPC bridge
    # B's default VPC has the same CIDR: its bridge is refused (a route of this machine) during the boot
    r = clouds.b.post("/instances", json=body, headers={"Idempotency-Key": "twin-1"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict", r.text
    assert clouds.b.get("/instances").json()["items"] == []
    folders = sorted(p.name for p in (clouds.state_dir / "machines" / "instances").iterdir())
    assert folders == [first["id"]]
    assert len(leftovers(clouds.state_dir)["links"]) == 2  # A's bridge and veth only
    # nothing stored: in a network of its own, the same name and key (with another body) work
    net = clouds.b.post("/networks", json={"name": "own", "cidr": "10.48.0.0/16"}).raise_for_status().json()
    again = clouds.b.post(
        "/instances", json={**body, "vpc": net["id"]}, headers={"Idempotency-Key": "twin-1"}
    )
    assert again.status_code == 202 and again.json()["ssh_host"] == again.json()["private_ip"]
    _delete_all(clouds.a)
    _delete_all(clouds.b)
    clouds.b.delete(f"/networks/{net['id']}").raise_for_status()
