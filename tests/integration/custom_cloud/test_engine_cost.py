"""Cost at a glance: the stack total is known at preview, and `provisioning cost STACK` prints each
resource's estimated cost and the total from the stack's state."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cloud import CloudHandle

from .conftest import EXAMPLE, HERE, project_for

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


def test_every_preview_shows_the_cost_and_its_change_without_program_code(
    tmp_path: Path, cloud: CloudHandle
) -> None:
    """single_server exports no cost of its own: the SDK's stack output and preview line do."""
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud)
    first = project.preview().stdout
    assert "estimated hourly cost: 0.0700 USD (custom-cloud:Server 0.0700)" in first, first
    output = r"estimated_cost: \{\s+by_type\s*: \{\s+custom-cloud:Server: 0\.07\s+\}\s+hourly_usd: 0\.07"
    assert re.search(output, first), first

    project.up()
    assert project.outputs()["estimated_cost"] == {
        "hourly_usd": pytest.approx(0.07),
        "by_type": {"custom-cloud:Server": pytest.approx(0.07)},
    }
    unchanged = project.run("preview", "--stack", project.stack, "--expect-no-changes").stdout
    assert "estimated hourly cost: 0.0700 USD" in unchanged, unchanged

    project.config_set("t:machineType", "medium")
    changed = project.preview().stdout
    assert "estimated hourly cost: 0.1200 USD (custom-cloud:Server 0.1200)" in changed, changed
    assert re.search(r"~ hourly_usd\s*: 0\.07 => 0\.12", changed), changed
    assert re.search(r"~ custom-cloud:Server: 0\.07 => 0\.12", changed), changed
    project.destroy()
