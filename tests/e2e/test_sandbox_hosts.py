"""Sandbox hosts end to end, against a real emulator process (`--hosts sandbox`): two instances in one
subnet, SSH with verified host keys, private networking, private filesystems, stop/start with an enabled
service, offline apt, and nothing left in the kernel after delete + shutdown."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cloud import CloudHandle, start_cloud, stop_cloud

from .kernel import leftovers
from .ssh import Ssh, keypair, require_tools

pytestmark = pytest.mark.e2e


@dataclass
class World:
    """The running emulator, an API client, the SSH helper and the two instances."""

    cloud: CloudHandle
    api: httpx.Client
    ssh: Ssh
    a: dict[str, Any]
    b: dict[str, Any]
    state_dir: Path


def _wait_status(api: httpx.Client, iid: str, status: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        doc = api.get(f"/instances/{iid}").raise_for_status().json()
        if doc["status"] == status:
            return doc
        assert time.monotonic() < deadline, f"{iid} stays {doc['status']}, expected {status}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    require_tools()
    tmp = tmp_path_factory.mktemp("sandbox-e2e")
    state_dir = tmp / "cloud"
    state_dir.mkdir()
    cloud = start_cloud(state_dir / "custom-cloud.db", hosts="sandbox", lifecycle="immediate")
    api = cloud.client(timeout=60)
    key, public = keypair(tmp)
    ssh = Ssh(key, tmp / "known_hosts")
    try:
        net = api.post("/networks", json={"name": "e2e", "cidr": "10.42.0.0/16"}).raise_for_status().json()
        sub = api.post("/subnets", json={"name": "e2e-a", "network_id": net["id"], "cidr": "10.42.1.0/24",
                                         "zone": "us-west-1a"}).raise_for_status().json()  # fmt: skip
        made = []
        for name in ("alpha", "beta"):
            body = {"name": name, "machine_type": "micro", "zone": "us-west-1a", "subnet": sub["id"],
                    "ssh_public_key": public, "external_ip": name == "alpha"}  # fmt: skip
            made.append(api.post("/instances", json=body).raise_for_status().json())
        a, b = (_wait_status(api, m["id"], "running") for m in made)
        for inst in (a, b):
            ssh.trust(inst["ssh_host"], inst["ssh_port"], inst["ssh_host_key_fingerprints"])
        yield World(cloud, api, ssh, a, b, state_dir)
    finally:
        api.close()
        stop_cloud(cloud.process)


def sh(w: World, inst: dict[str, Any], command: str, **kw: Any) -> str:
    return w.ssh.run(inst["ssh_host"], inst["ssh_port"], command, **kw)


def test_admin_info_reports_sandbox(world: World) -> None:
    headers = {"Authorization": f"Bearer {world.cloud.admin_token}"}
    info = httpx.get(f"{world.cloud.root}/admin/info", headers=headers).raise_for_status().json()
    assert info["host_backend"] == "sandbox"


def test_endpoints_and_identity(world: World) -> None:
    a, b = world.a, world.b
    assert a["public_ip"] and a["ssh_host"] == a["public_ip"] and a["ssh_port"] == 22
    assert b["public_ip"] is None and b["ssh_host"] == b["private_ip"]
    assert (
        len(a["ssh_host_key_fingerprints"]) == 1
        and a["ssh_host_key_fingerprints"] != b["ssh_host_key_fingerprints"]
    )
    assert sh(world, a, "hostname").strip() == "alpha"
    assert sh(world, b, "hostname").strip() == "beta"
    addrs = sh(world, a, "ip -4 -o addr show dev eth0")
    assert f"{a['private_ip']}/16" in addrs and f"{a['public_ip']}/32" in addrs
    assert sh(world, a, "ip route").split("\n")[0] == "default via 10.42.0.1 dev eth0 "
    # its own pid namespace: PID 1 is the sandbox init, few processes
    assert "init_script.py" in sh(world, a, "cat /proc/1/cmdline")


def test_private_network_between_instances(world: World) -> None:
    port = 7070
    sh(
        world,
        world.b,
        f"(setsid python3 -m http.server {port} --directory /etc >/dev/null 2>&1 &) ; sleep 0.5",
    )
    url = f"http://{world.b['private_ip']}:{port}/hostname"
    fetch = f"import urllib.request as u; print(u.urlopen('{url}', timeout=5).read().decode())"
    got = sh(world, world.a, f'python3 -c "{fetch}"')
    assert got.strip() == "beta"
    # nothing off the machine, checked without sending a packet anywhere else: the sandbox's only
    # way out is its VPC bridge, and the host forwards nothing from any emulator bridge.
    routes = sh(world, world.a, "ip -4 route").strip().splitlines()
    assert all("dev eth0" in route for route in routes), routes
    bridges = [
        link["ifname"]
        for link in json.loads(
            subprocess.run(
                ["ip", "-j", "link", "show", "type", "bridge"], capture_output=True, text=True, check=True
            ).stdout
        )
        if link["ifname"].startswith("ccb")
    ]
    assert bridges, "the VPC bridge is missing"
    for bridge in bridges:
        assert Path(f"/proc/sys/net/ipv4/conf/{bridge}/forwarding").read_text().strip() == "0", bridge


def test_filesystems_are_private(world: World) -> None:
    marker = "/etc/e2e-only-alpha"
    sh(world, world.a, f"echo alpha > {marker} && mkdir -p /srv/data /opt/x && echo 1 > /srv/data/f")
    assert sh(world, world.a, f"cat {marker}").strip() == "alpha"
    assert sh(world, world.b, f"test -e {marker}; echo $?").strip() == "1"
    assert not Path(marker).exists()
    assert not Path("/srv/data/f").exists()


def test_apt_install_of_present_package_is_offline(world: World) -> None:
    out = sh(world, world.a, "DEBIAN_FRONTEND=noninteractive apt-get install -y cron openssh-server 2>&1")
    assert "already the newest version" in out


def test_stop_start_keeps_disk_and_restarts_enabled_service(world: World) -> None:
    a, api = world.a, world.api
    sh(world, a, "printf '#!/bin/sh\\nexec python3 -m http.server 8080 --directory /srv\\n' "
                 "> /etc/provisioning/services/web && chmod +x /etc/provisioning/services/web "
                 "&& echo served > /srv/index.html && svc enable web && svc start web")  # fmt: skip
    api.post(f"/instances/{a['id']}/stop").raise_for_status()
    _wait_status(api, a["id"], "stopped")
    with pytest.raises(httpx.TransportError):  # processes gone: nothing answers
        httpx.get(f"http://{a['private_ip']}:8080/index.html", timeout=1)
    api.post(f"/instances/{a['id']}/start").raise_for_status()
    _wait_status(api, a["id"], "running")
    assert sh(world, a, "cat /etc/e2e-only-alpha").strip() == "alpha"  # the disk survived
    deadline = time.monotonic() + 10
    while True:
        try:
            assert httpx.get(f"http://{a['private_ip']}:8080/index.html", timeout=2).text.strip() == "served"
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the enabled service did not come back after start"
            time.sleep(0.2)
    api.post(f"/instances/{a['id']}/reboot").raise_for_status()
    _wait_status(api, a["id"], "running")
    assert sh(world, a, "svc status web; echo rc=$?").strip().endswith("rc=0")


def test_delete_and_shutdown_leave_nothing(world: World) -> None:
    for inst in (world.a, world.b):
        world.api.delete(f"/instances/{inst['id']}").raise_for_status()
    for inst in (world.a, world.b):
        deadline = time.monotonic() + 30
        while world.api.get(f"/instances/{inst['id']}").status_code != 404:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert not (world.state_dir / "sandboxes" / "instances" / world.a["id"]).exists()
    left = leftovers(world.state_dir)
    assert left["links"] == [] and left["mounts"] == [] and left["processes"] == [], left
    stop_cloud(world.cloud.process)
    left = leftovers(world.state_dir)
    assert left == {"netns": [], "links": [], "routes": [], "mounts": [], "processes": []}, left
