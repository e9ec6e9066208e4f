"""`pulumi up` SIGKILLed mid-create: cancel, refresh, up converge with no orphan and no duplicate, also when
the inputs change between the kill and the recovery (the ownership label lets the create adopt)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cloud import CloudHandle, running_cloud
from tests.support.pulumi_cli import PulumiProject, require_engine

from .conftest import HERE, instances, project_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]

COUNT = 6


def _session_members(sid: int) -> list[int]:
    """Pids whose session is `sid` (the provider host outlives the kill: it runs in its own group)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture
def sessions() -> Iterator[list[int]]:
    """Sessions of killed `pulumi up` runs; whatever of them still runs at the end is killed."""
    started: list[int] = []
    yield started
    for sid in started:
        for pid in _session_members(sid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _kill_mid_create(project: PulumiProject, cloud: CloudHandle, sessions: list[int]) -> list[dict[str, Any]]:
    """Start `pulumi up`, SIGKILL its process group once a create is in flight; the in-flight instances."""
    env = project._environment()
    command = [require_engine(), "up", "--yes", "--skip-preview", "--non-interactive"]
    up = subprocess.Popen(
        [*command, "--stack", project.stack],
        cwd=project.workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    sessions.append(up.pid)
    try:
        deadline = time.monotonic() + 120
        while not any(i["status"] == "provisioning" for i in instances(cloud)):
            assert up.poll() is None, "pulumi up ended before any create was in flight"
            assert time.monotonic() < deadline, "no instance reached provisioning"
            time.sleep(0.05)
    finally:
        os.killpg(up.pid, signal.SIGKILL)  # pulumi, its language host, program and provider host
        up.wait(timeout=30)
    assert up.returncode == -signal.SIGKILL
    in_flight = instances(cloud)
    assert in_flight and all(i["status"] == "provisioning" for i in in_flight)
    return in_flight


def _recover(project: PulumiProject) -> None:
    # The interrupted update left its lock and its pending creates in the DIY state.
    locked = project.run("up", "--yes", "--skip-preview", "--stack", project.stack, check=False)
    assert locked.returncode != 0 and "locked" in locked.stdout + locked.stderr
    pending = project.state()["checkpoint"]["latest"].get("pending_operations") or []
    assert pending and all(op["type"] == "creating" for op in pending)

    project.run("cancel", "--yes", "--stack", project.stack)  # DIY: removes the stale lock
    project.refresh("--clear-pending-creates")
    assert not project.state()["checkpoint"]["latest"].get("pending_operations")
    project.up()


def _assert_converged(project: PulumiProject, cloud: CloudHandle, in_flight: list[dict[str, Any]]) -> None:
    live = instances(cloud)
    names = [i["name"] for i in live]
    assert sorted(names) == sorted(f"fleet-{n}" for n in range(COUNT))  # no duplicate, no orphan
    assert all(i["status"] == "running" for i in live)
    assert {i["id"] for i in in_flight} <= {i["id"] for i in live}  # the in-flight ones were adopted
    assert sorted(project.outputs()["ids"]) == sorted(i["id"] for i in live)
    project.preview("--expect-no-changes")


def test_sigkill_mid_up_then_cancel_refresh_up_converges(tmp_path: Path, sessions: list[int]) -> None:
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=4.0) as cloud:
        project = project_for(HERE / "fleet", tmp_path / "proj", cloud, **{"t:count": f"{COUNT}"})
        in_flight = _kill_mid_create(project, cloud, sessions)
        _recover(project)
        _assert_converged(project, cloud, in_flight)
        project.destroy()
        assert instances(cloud) == []


def test_sigkill_then_changed_inputs_adopts_by_ownership_label(tmp_path: Path, sessions: list[int]) -> None:
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=4.0) as cloud:
        config = {"t:count": f"{COUNT}", "t:label": "v1"}
        project = project_for(HERE / "fleet", tmp_path / "proj", cloud, **config)
        in_flight = _kill_mid_create(project, cloud, sessions)
        # the user edits the program before recovering: other bodies, so other idempotency keys
        project.config_set("t:label", "v2")
        project.config_set("t:diskSize", "30")
        _recover(project)
        _assert_converged(project, cloud, in_flight)
        state = project.state()["checkpoint"]["latest"]["resources"]
        servers = {r["id"]: r for r in state if r["type"].endswith("custom-cloud:Server")}
        assert len(servers) == COUNT
        for server in instances(cloud):
            owner = hashlib.sha256(servers[server["id"]]["urn"].encode()).hexdigest()[:16]  # the engine's URN
            assert server["labels"] == {"release": "v2", "pulumi-urn-hash": owner}, server
            assert server["disk_size"] == 30
        assert all(r["outputs"]["labels"] == {"release": "v2"} for r in servers.values())  # hidden label
        project.destroy()
        assert instances(cloud) == []
