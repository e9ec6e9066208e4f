"""Two local Custom Clouds with machine hosts on one machine: each holds its public address pool alone (a
second cloud asking for the same pool or one inside it fails naming the first), and the default VPC
range's guard route stays until the last cloud that shares it stops."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.cloud import CloudDidNotStart, start_cloud, stop_cloud

from .host_services import require_machine_hosts

pytestmark = pytest.mark.e2e

POOL = "100.98.0.0/16"
OTHER_POOL = "100.99.0.0/16"


def guards() -> set[str]:
    """The destinations of this machine's `unreachable` guard routes (the machine backend's metric 4000)."""
    routes = json.loads(
        subprocess.run(["ip", "-j", "route"], capture_output=True, text=True, check=True).stdout
    )
    return {r["dst"] for r in routes if r.get("type") == "unreachable" and r.get("metric") == 4000}


def test_a_public_pool_is_held_by_one_cloud_and_shared_guards_stay_until_the_last(tmp_path: Path) -> None:
    require_machine_hosts()
    first = start_cloud(tmp_path / "a.db", hosts="machine", public_pool=POOL, timeout=60)
    try:
        assert {POOL, "10.0.0.0/16"} <= guards()
        with pytest.raises(CloudDidNotStart) as refused:
            start_cloud(tmp_path / "b.db", hosts="machine", public_pool=POOL, timeout=60)
        assert (
            f"the public address pool {POOL} is in use by another local Custom Cloud" in refused.value.output
        )
        assert f"pid {first.process.pid}" in refused.value.output
        assert POOL in guards(), "the refused cloud left the first one's guard alone"

        second = start_cloud(tmp_path / "c.db", hosts="machine", public_pool=OTHER_POOL, timeout=60)
        try:
            assert {POOL, OTHER_POOL, "10.0.0.0/16"} <= guards()
        finally:
            stop_cloud(second.process)
        assert OTHER_POOL not in guards()
        assert {POOL, "10.0.0.0/16"} <= guards(), "the first cloud still runs: its guards stay"
    finally:
        stop_cloud(first.process)
    assert POOL not in guards()
