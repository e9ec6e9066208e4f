"""`pulumi up` SIGKILLed mid-create: cancel, refresh, up converge with no orphan and no duplicate."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.cloud import running_cloud
from tests.support.pulumi_cli import require_engine

from .conftest import HERE, instances, project_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]

COUNT = 6


def test_sigkill_mid_up_then_cancel_refresh_up_converges(tmp_path: Path) -> None:
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=4.0) as cloud:
        project = project_for(HERE / "fleet", tmp_path / "proj", cloud, **{"t:count": f"{COUNT}"})
        env = project._environment()
        command = [require_engine(), "up", "--yes", "--skip-preview", "--non-interactive"]
        up = subprocess.Popen(
            [*command, "--stack", project.stack],
            cwd=project.workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
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

        # The interrupted update left its lock and its pending creates in the DIY state.
        locked = project.run("up", "--yes", "--skip-preview", "--stack", project.stack, check=False)
        assert locked.returncode != 0 and "locked" in locked.stdout + locked.stderr
        pending = project.state()["checkpoint"]["latest"].get("pending_operations") or []
        assert pending and all(op["type"] == "creating" for op in pending)

        project.run("cancel", "--yes", "--stack", project.stack)  # DIY: removes the stale lock
        project.refresh("--clear-pending-creates")
        assert not project.state()["checkpoint"]["latest"].get("pending_operations")
        project.up()

        live = instances(cloud)
        names = [i["name"] for i in live]
        assert sorted(names) == sorted(f"fleet-{n}" for n in range(COUNT))  # no duplicate, no orphan
        assert all(i["status"] == "running" for i in live)
        assert {i["id"] for i in in_flight} <= {i["id"] for i in live}  # the in-flight ones were adopted
        assert sorted(project.outputs()["ids"]) == sorted(i["id"] for i in live)
        project.preview("--expect-no-changes")
        project.destroy()
        assert instances(cloud) == []
