"""Cost at a glance: the stack total is known at preview, and `provisioning cost STACK` prints each
resource's estimated cost and the total from the stack's state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cloud import CloudHandle

from .conftest import EXAMPLE, project_for

pytestmark = pytest.mark.engine


def _cost(project: object, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "provisioning.cli",
        "cost",
        "test",
        "--cwd",
        str(project.workdir),
        *extra,
    ]  # type: ignore[attr-defined]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=project._environment(),
        check=True,
        timeout=120,  # type: ignore[attr-defined]
    )


def test_stack_total_at_preview_and_cost_command(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(EXAMPLE, tmp_path / "proj", cloud)
    preview = project.preview()
    assert "estimated_hourly_cost: 0.22" in preview.stdout, preview.stdout  # small 20 GB + medium 50 GB

    project.up()
    report = json.loads(_cost(project, "--json").stdout)
    assert report["total_hourly"] == pytest.approx(0.22), report
    assert sorted((r["type"], r["name"], r["hourly"]) for r in report["resources"]) == [
        ("custom-cloud:Server", "example-1", pytest.approx(0.07)),
        ("custom-cloud:Server", "example-2", pytest.approx(0.15)),
    ]
    table = _cost(project).stdout
    assert "example-2" in table and table.splitlines()[-1].split()[:2] == ["total", "0.2200"], table
    project.destroy()


def test_cost_of_an_unknown_stack_says_so(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(EXAMPLE, tmp_path / "proj", cloud)
    done = subprocess.run(
        [sys.executable, "-m", "provisioning.cli", "cost", "nope", "--cwd", str(tmp_path / "proj")],
        capture_output=True,
        text=True,
        env=project._environment(),
        timeout=120,
    )
    assert done.returncode == 2 and "pulumi stack export --stack nope failed" in done.stderr
