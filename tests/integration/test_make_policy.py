"""`make policy`: the pack over every example with the real engine, and the pack's folder as installed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provisioning.cli.policy import pack_folder

pytestmark = [pytest.mark.engine, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]


def test_every_example_passes_the_pack() -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "policy.sh")], capture_output=True, text=True, timeout=840
    )
    assert done.returncode == 0, done.stdout + done.stderr
    examples = sorted(p.parent.name for p in (ROOT / "examples").glob("*/Pulumi.yaml"))
    for name in examples:
        assert f"pulumi preview --policy-pack of examples/{name}" in done.stdout
    assert done.stdout.count("✅ provisioning") == len(examples), done.stdout


def test_the_pack_folder_holds_what_pulumi_runs() -> None:
    folder = pack_folder()
    assert (folder / "PulumiPolicy.yaml").is_file() and (folder / "__main__.py").is_file()
