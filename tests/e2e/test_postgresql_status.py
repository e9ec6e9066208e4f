"""`provisioning status` on the real engine against sandbox hosts: a stack of examples/database shows its
CustomDatabase healthy (the health step run again, now, over SSH); with the service `customdb` stopped on
the host it shows it unhealthy, naming the failing check, and exits non-zero; no secret in its output."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from .taskservice_support import DatabaseStack, database_cloud, database_stack

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

SETTINGS = {"monitoring": {"enabled": False}, "backup": {"enabled": False}}
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseStack]:
    tmp = tmp_path_factory.mktemp("status")
    with database_cloud(tmp) as cloud:
        made = database_stack(cloud, tmp, cidr="10.46.0.0/16", settings=SETTINGS)
        try:
            _, TIMINGS["up"] = made.timed_up()
            made.trust(made.outputs()["primary_id"])
            yield made
        finally:
            try:
                made.project.destroy()
            finally:
                made.api.close()
                print(f"\nstatus e2e timings (s): {json.dumps(TIMINGS)}")


def status(stack: DatabaseStack, *extra: str) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "provisioning.cli", "status", stack.project.stack,
         "--cwd", str(stack.project.workdir), *extra],
        env=stack.project._environment(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    TIMINGS[f"status {len(TIMINGS)}"] = round(time.monotonic() - started, 2)
    for secret in (stack.password, stack.private_key.strip(), stack.cloud.api_key):
        assert secret not in done.stdout + done.stderr
    return done


def service(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    found = json.loads(done.stdout)["services"]
    assert [s["service"] for s in found] == ["db"], done.stdout
    return dict(found[0])


def test_status_shows_the_database_healthy_then_the_failing_check(stack: DatabaseStack) -> None:
    primary = str(stack.outputs()["primary_id"])
    done = status(stack)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["service", "server", "status", "healthy", "failing", "check"]
    assert lines[2].split()[:4] == ["db", "db-primary", "running", "yes"]
    healthy = service(status(stack, "--json"))
    assert healthy["healthy"] is True and healthy["status"] == "running"
    assert [c["name"] for c in healthy["checks"]] == ["service", "connect"]

    stack.sh(primary, "svc stop customdb")
    try:
        done = status(stack)
        assert done.returncode == 1, done.stdout + done.stderr
        row = done.stdout.splitlines()[2]
        assert row.split()[:4] == ["db", "db-primary", "unhealthy", "no"]
        assert "service: customdb is not running" in row
        broken = service(status(stack, "--json"))
        assert (broken["healthy"], broken["failing"]) == (False, "service")
        assert {c["name"]: c["status"] for c in broken["checks"]} == {"service": "fail", "connect": "fail"}
    finally:
        stack.sh(primary, "svc start customdb")
