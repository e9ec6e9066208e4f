"""An in-place change previews with the outputs it keeps known: a relabel plus a resize shows the server's
addresses as they are, not `[unknown]`, and names only the inputs that change; a replacement does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cloud import CloudHandle

from .conftest import HERE, instances, project_for, steps

pytestmark = pytest.mark.engine


def test_a_relabel_and_resize_keep_the_addresses_known(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud)
    project.up()
    [live] = instances(cloud)

    project.config_set("t:machineType", "medium")
    project.config_set("t:labels", json.dumps({"team": "a"}))
    shown = project.preview().stdout
    assert "[diff: ~estimated_hourly_cost,labels,machine_type]" in shown, shown
    assert "[unknown]" not in shown and "private_ip" not in shown, shown  # the output keeps its value

    planned = project.preview_json()
    assert steps(planned) == ["update"]
    [step] = [s for s in planned["steps"] if s["urn"].endswith("::web")]
    previewed = step["newState"]["inputs"]  # what the engine previews an update's outputs as
    for name in ("private_ip", "public_ip", "status", "vpc"):
        assert previewed.get(name) == live[name], (name, previewed.get(name), live[name])

    project.up()
    assert project.run("preview", "--stack", project.stack, "--expect-no-changes").returncode == 0

    project.config_set("t:zone", "us-west-1b")  # a replacement: a new server, new addresses
    replacing = [s for s in project.preview_json()["steps"] if s["op"] in ("create-replacement", "replace")]
    assert replacing and all("private_ip" not in s["newState"]["inputs"] for s in replacing), replacing
    project.destroy()
