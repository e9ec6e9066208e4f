"""`pulumi up` of examples/server while the emulator injects 20 % 5xx/429 and latency."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cloud import running_cloud

from .conftest import EXAMPLE, instances, project_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]


def test_up_converges_under_injected_faults(tmp_path: Path) -> None:
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=0.3, fault_error_rate=0.2,
                       fault_latency_ms=50) as cloud:  # fmt: skip
        project = project_for(EXAMPLE, tmp_path / "proj", cloud)
        project.up()
        live = instances(cloud)
        assert sorted(i["name"] for i in live) == ["example-1", "example-2"]
        assert sorted(project.outputs()["server_ids"]) == sorted(i["id"] for i in live)
        project.preview("--expect-no-changes")
        project.destroy()
        assert instances(cloud) == []
        logs = "".join(p.read_text() for p in (tmp_path / "proj" / "logs").glob("*.log"))
        assert "retrying" in logs  # faults were met and retried, not avoided
