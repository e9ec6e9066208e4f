"""A resource made through the SDK records the user's file and line as its `sourcePosition`, and its stack
trace holds only the program's frames (none of Python's, Pulumi's or this SDK's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cloud import CloudHandle

from .conftest import project_for

pytestmark = pytest.mark.engine

PROGRAM = """\
import pulumi

from provisioning.providers.custom_cloud import Network, Server


def make() -> Server:
    return Server("pos-web", machine_type="small", zone="us-west-1a")


net = Network("pos-net", cidr="10.90.0.0/16")
server = make()
pulumi.export("id", server.id)
"""
"""Network on line 10; the Server on line 7, called from line 11."""


def test_source_position_is_the_users_line(tmp_path: Path, cloud: CloudHandle) -> None:
    source = tmp_path / "program"
    source.mkdir()
    (source / "__main__.py").write_text(PROGRAM)
    (source / "Pulumi.yaml").write_text("name: source-positions\nruntime: python\n")
    project = project_for(source, tmp_path / "proj", cloud)
    project.up()
    by_name = {r["urn"].rsplit("::", 1)[-1]: r for r in project.resources()}
    # The engine records files inside the project relative to it (`project:///`).
    assert by_name["pos-net"]["sourcePosition"] == "project:///__main__.py#10"
    assert by_name["pos-web"]["sourcePosition"] == "project:///__main__.py#7"
    for name in ("pos-net", "pos-web"):
        frames = [frame["sourcePosition"] for frame in by_name[name]["stackTrace"]]
        assert frames and all(f.startswith("project:///__main__.py#") for f in frames), frames
    assert [f["sourcePosition"] for f in by_name["pos-web"]["stackTrace"]] == [
        "project:///__main__.py#7",
        "project:///__main__.py#11",
    ]
    project.destroy()
