"""`user_data` on machine hosts, end to end against a real emulator (`--hosts machine`): cloud-init runs it
from a NoCloud seed the cloud writes (the instance's user data, hostname and SSH key), a `#cloud-config` and
a `#!` script alike, once per instance; an instance without user data boots with cloud-init left out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from .machine_cloud import MachineCloud, assert_running, machine_cloud

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

POOL = "100.94.0.0/24"
"""This module's own public pool (claimed for the cloud's life); its `.1` is the package cache."""

CLOUD_CONFIG = """#cloud-config
write_files:
  - path: /etc/provisioning-e2e/written
    content: "written by cloud-config\\n"
    permissions: "0640"
runcmd:
  - [sh, -c, 'echo "ran as $(id -un) on $(hostname)" >> /var/tmp/runcmd.log']
bootcmd:
  - [sh, -c, 'echo boot >> /var/tmp/bootcmd.log']
"""
"""write_files (once per instance), runcmd (once per instance) and bootcmd (every boot)."""

SCRIPT = """#!/bin/sh
set -eu
echo "script ran on $(hostname) with machine id $(cat /etc/machine-id)" > /root/user-script.out
"""


@dataclass
class World(MachineCloud):
    """The running emulator, its API, SSH, and three machines: a cloud-config, a script, no user data."""

    servers: dict[str, dict[str, Any]] = field(default_factory=dict)
    ready_s: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with machine_cloud(tmp_path_factory.mktemp("machine-cloud-init"), pool=POOL, kind=World) as w:
        for name, user_data in (("configured", CLOUD_CONFIG), ("scripted", SCRIPT), ("plain", None)):
            fields = {} if user_data is None else {"user_data": user_data}
            started = time.monotonic()
            w.servers[name] = w.create(name, timeout=120, external_ip=False, **fields)
            w.ready_s[name] = round(time.monotonic() - started, 2)
        print(f"\ncreate -> SSH-ready (s): {w.ready_s}")
        yield w


def sh(w: World, name: str, command: str, **kw: Any) -> str:
    return w.sh(w.servers[name], command, **kw)


def cloud_init_done(w: World, name: str) -> str:
    """`cloud-init status --wait --long` once it finished; fails on an error."""
    out = sh(w, name, "cloud-init status --wait --long 2>&1", check=False, timeout=180)
    assert "status: done" in out, f"cloud-init on {name}: {out}"
    return out


def test_cloud_config_runs_at_first_boot(world: World) -> None:
    cloud_init_done(world, "configured")
    assert sh(world, "configured", "cat /etc/provisioning-e2e/written") == "written by cloud-config\n"
    assert sh(world, "configured", "stat -c %a /etc/provisioning-e2e/written").strip() == "640"
    assert sh(world, "configured", "cat /var/tmp/runcmd.log") == "ran as root on configured\n"
    assert sh(world, "configured", "cat /var/tmp/bootcmd.log") == "boot\n"
    assert_running(world, world.servers["configured"])


def test_script_runs_at_first_boot(world: World) -> None:
    cloud_init_done(world, "scripted")
    machine_id = sh(world, "scripted", "cat /etc/machine-id").strip()
    assert sh(world, "scripted", "cat /root/user-script.out") == (
        f"script ran on scripted with machine id {machine_id}\n"
    )
    assert_running(world, world.servers["scripted"])


def test_the_seed_is_the_instances_own(world: World) -> None:
    inst = world.servers["configured"]
    seed = "/var/lib/cloud/seed/nocloud"
    assert sh(world, "configured", f"cat {seed}/user-data") == CLOUD_CONFIG
    meta = sh(world, "configured", f"cat {seed}/meta-data")
    assert f'instance-id: "{inst["id"]}"' in meta and 'local-hostname: "configured"' in meta
    assert sh(world, "configured", f"stat -c %a {seed}/user-data").strip() == "600", "user data is private"
    assert sh(world, "configured", "cloud-init query instance_id").strip() == inst["id"]
    # cloud-init kept the host key the cloud made (the SSH above checks it against the API's fingerprint)
    # and root's key: root still logs in, without a "log in as another user" prefix.
    keys = sh(world, "configured", "cat /root/.ssh/authorized_keys")
    assert keys.startswith("ssh-ed25519 "), keys


def test_without_user_data_cloud_init_stays_out_of_the_boot(world: World) -> None:
    status = sh(world, "plain", "cloud-init status 2>&1", check=False)
    assert "disabled" in status, status
    assert sh(world, "plain", "test -e /var/lib/cloud/seed/nocloud; echo $?").strip() == "1"
    units = sh(world, "plain", "systemctl list-units --all --no-legend --plain 'cloud-*' | cut -d' ' -f1")
    active = [u for u in units.split() if sh(world, "plain", f"systemctl is-active {u}", check=False).strip()
              not in ("inactive", "")]  # fmt: skip
    assert active == [], f"cloud-init units ran on an instance without user data: {active}"
    assert_running(world, world.servers["plain"])


def test_after_a_reboot_only_the_every_boot_parts_run_again(world: World) -> None:
    inst = world.servers["configured"]
    cloud_init_done(world, "configured")
    before = sh(world, "configured", "cat /proc/1/stat | cut -d' ' -f22")
    world.api.post(f"/instances/{inst['id']}/reboot").raise_for_status()
    world.wait_status(inst["id"], "running", timeout=120)
    cloud_init_done(world, "configured")
    assert sh(world, "configured", "cat /proc/1/stat | cut -d' ' -f22") != before, "no new PID 1"
    assert sh(world, "configured", "cat /var/tmp/runcmd.log") == "ran as root on configured\n"
    assert sh(world, "configured", "cat /var/tmp/bootcmd.log") == "boot\nboot\n"
