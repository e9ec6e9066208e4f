"""A local Custom Cloud with machine hosts for the e2e tests that drive its API directly: started in a state
folder with its own public pool, an API client and SSH with a fresh key; instances made, waited for (a status,
or gone) and reached over SSH with their host keys checked against the API's fingerprints."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.support.cloud import CloudHandle, start_cloud, stop_cloud

from .host_services import hosts_folder, require_machine_hosts
from .ssh import Ssh, keypair

__all__ = ["MachineCloud", "ZONE", "assert_running", "machine_cloud", "wait_deleted", "wait_status"]

ZONE = "us-west-1a"
"""The zone of every instance, subnet and volume these tests make."""

M = TypeVar("M", bound="MachineCloud")


def wait_status(api: httpx.Client, iid: str, status: str, timeout: float = 90) -> dict[str, Any]:
    """The instance `iid` once its status is `status`; fails after `timeout` seconds naming the one it has."""
    deadline = time.monotonic() + timeout
    while True:
        doc = dict(api.get(f"/instances/{iid}").raise_for_status().json())
        if doc["status"] == status:
            return doc
        assert time.monotonic() < deadline, f"{iid} stays {doc['status']}, expected {status}"
        time.sleep(0.1)


def wait_deleted(api: httpx.Client, iid: str, timeout: float = 60) -> None:
    """Returns once the instance `iid` is gone (404); fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (got := api.get(f"/instances/{iid}")).status_code != 404:
        assert time.monotonic() < deadline, f"{iid}: {got.status_code} {got.text[:200]}"
        time.sleep(0.1)


@dataclass
class MachineCloud:
    """The running emulator (`--hosts machine`), its API, SSH with the key `public_key` names, and the state
    folder holding its machines."""

    cloud: CloudHandle
    api: httpx.Client
    ssh: Ssh
    state_dir: Path
    public_key: str

    @property
    def machines(self) -> Path:
        """The folder of the cloud's machines (instances, retained and attached volumes, package cache)."""
        return hosts_folder(self.state_dir)

    def instance(self, iid: str) -> dict[str, Any]:
        """The instance `iid` as the API shows it now."""
        return dict(self.api.get(f"/instances/{iid}").raise_for_status().json())

    def trust(self, inst: dict[str, Any]) -> None:
        """Trust the instance's host keys that match the API's fingerprints."""
        self.ssh.trust(inst["ssh_host"], inst["ssh_port"], inst["ssh_host_key_fingerprints"])

    def sh(self, inst: dict[str, Any], command: str, **kw: Any) -> str:
        """Run `command` as root on the instance; its stdout (`kw` as `Ssh.run`'s)."""
        return self.ssh.run(inst["ssh_host"], inst["ssh_port"], command, **kw)

    def wait_status(self, iid: str, status: str, timeout: float = 90) -> dict[str, Any]:
        return wait_status(self.api, iid, status, timeout)

    def wait_deleted(self, iid: str, timeout: float = 60) -> None:
        wait_deleted(self.api, iid, timeout)

    def subnet(self, name: str, cidr: str, subnet_cidr: str) -> str:
        """The id of a new subnet `<name>-a` (`subnet_cidr`) of a new network `name` (`cidr`)."""
        net = self.api.post("/networks", json={"name": name, "cidr": cidr}).raise_for_status().json()
        body = {"name": f"{name}-a", "network_id": net["id"], "cidr": subnet_cidr, "zone": ZONE}
        return str(self.api.post("/subnets", json=body).raise_for_status().json()["id"])

    def request(self, name: str, **fields: Any) -> dict[str, Any]:
        """Ask for a micro instance `name` with this cloud's SSH key (`fields` added to the body); as made."""
        body: dict[str, Any] = {
            "name": name,
            "machine_type": "micro",
            "zone": ZONE,
            "ssh_public_key": self.public_key,
        }
        return dict(self.api.post("/instances", json=body | fields).raise_for_status().json())

    def create(self, name: str, *, timeout: float = 90, **fields: Any) -> dict[str, Any]:
        """A micro instance `name` (`fields` added to the body) once running, its host keys trusted."""
        inst = self.wait_status(self.request(name, **fields)["id"], "running", timeout)
        self.trust(inst)
        return inst


def assert_running(w: MachineCloud, inst: dict[str, Any]) -> None:
    """systemd is PID 1 and the machine is `running`: `degraded` fails, naming the failed units."""
    assert w.sh(inst, "cat /proc/1/comm").strip() == "systemd"
    state = w.sh(inst, "systemctl is-system-running --wait", check=False).strip()
    if state != "running":
        failed = w.sh(inst, "systemctl list-units --failed --no-legend --plain", check=False)
        pytest.fail(f"{inst['name']} is {state!r}, not running; failed units:\n{failed}", pytrace=False)


@contextmanager
def machine_cloud(
    tmp: Path,
    *,
    pool: str,
    kind: type[M],
    api_timeout: float = 120,
    lifecycle: str = "immediate",
    **flags: Any,
) -> Iterator[M]:
    """A cloud with machine hosts on `tmp/cloud`, the public pool `pool` and `lifecycle` (`flags` more of
    `start_cloud`'s), as `kind`, its key pair in `tmp`; stopped at the end (the cloud and client it then
    has)."""
    require_machine_hosts()
    state_dir = tmp / "cloud"
    state_dir.mkdir()
    cloud = start_cloud(state_dir / "custom-cloud.db", hosts="machine", public_pool=pool, lifecycle=lifecycle,
                        timeout=60, **flags)  # fmt: skip
    key, public = keypair(tmp)
    made = kind(cloud=cloud, api=cloud.client(timeout=api_timeout), ssh=Ssh(key, tmp / "known_hosts"),
                state_dir=state_dir, public_key=public)  # fmt: skip
    try:
        yield made
    finally:
        made.api.close()
        stop_cloud(made.cloud.process)
