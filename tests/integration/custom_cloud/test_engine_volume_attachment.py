"""VolumeAttachment on the real Pulumi engine against a real emulator process: attach, replace the server,
replace the volume, drift, a zone mismatch refused at preview, destroy; an attachment moved to another
volume while its old volume is replaced, with a slow detach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.cloud import CloudHandle
from tests.support.matrix_engine import set_faults

from .conftest import HERE, api, instances, project_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(900)]

PROJECT = HERE / "volume_attachment"


def _volumes(cloud: CloudHandle) -> list[dict[str, Any]]:
    with api(cloud) as client:
        return list(client.get("/volumes").raise_for_status().json()["items"])


def _attached(cloud: CloudHandle, outputs: dict[str, Any]) -> dict[str, Any]:
    """The stack's attached volume as the API has it, checked to be in use by the stack's server (and the
    only volume in use)."""
    [volume] = [v for v in _volumes(cloud) if v["status"] == "in-use"]
    assert volume["id"] == outputs["volume_id"]
    assert volume["status"] == "in-use" and volume["attached_to"] == outputs["server_id"]
    assert outputs["attachment_id"] == f"{outputs['volume_id']}:{outputs['server_id']}"
    return volume


def test_attachment_follows_replaced_server_and_volume(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(PROJECT, tmp_path / "proj", cloud)
    project.up()
    first = project.outputs()
    _attached(cloud, first)
    project.preview("--expect-no-changes")

    project.config_set("t:diskType", "hdd")  # replaces the server (same name and zone: deletes first)
    project.up()
    second = project.outputs()
    assert second["server_id"] != first["server_id"] and second["volume_id"] == first["volume_id"]
    _attached(cloud, second)
    assert [i["id"] for i in instances(cloud)] == [second["server_id"]]
    project.preview("--expect-no-changes")

    project.config_set("t:size", "10")  # shrinking replaces the volume
    project.up()
    third = project.outputs()
    assert third["volume_id"] != second["volume_id"] and third["server_id"] == second["server_id"]
    assert _attached(cloud, third)["size"] == 10
    project.preview("--expect-no-changes")

    with api(cloud) as client:  # drift: detached outside the stack; refresh drops it, up attaches again
        client.post(f"/volumes/{third['volume_id']}/detach").raise_for_status()
    project.refresh()
    assert not [r for r in project.resources() if r["type"].endswith("VolumeAttachment")]
    project.up()
    _attached(cloud, project.outputs())
    project.preview("--expect-no-changes")

    project.destroy()
    assert instances(cloud) == [] and _volumes(cloud) == []


def test_zone_mismatch_fails_preview_and_creates_nothing(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(PROJECT, tmp_path / "proj", cloud, **{"t:volumeZone": "us-west-1b"})
    result = project.preview(check=False)
    text = result.stdout + result.stderr
    assert result.returncode != 0, text
    assert "property server_id" in text and "'us-west-1a'" in text and "'us-west-1b'" in text
    assert "a volume attaches only to a server in its zone" in text
    assert project.run("up", "--yes", "--stack", project.stack, check=False).returncode != 0
    assert instances(cloud) == [] and _volumes(cloud) == []


def test_attachment_moved_while_its_old_volume_is_replaced(tmp_path: Path, cloud: CloudHandle) -> None:
    """One `up` replaces the attached volume (same name: its attachment is deleted first) and moves the
    attachment to the spare volume, while every detach takes 2 s: the attachment's new create waits for
    its old delete, and the stack holds one attachment (not two states of it), with a clean next preview."""
    project = project_for(PROJECT, tmp_path / "proj", cloud, **{"t:spare": "true"})
    project.up()
    first = project.outputs()
    _attached(cloud, first)

    set_faults(cloud, latency_ms=2000, routes=["POST /v1/volumes/{volume_id}/detach"])
    try:
        project.config_set("t:size", "10")  # shrinking replaces the volume
        project.config_set("t:attach", "spare")
        project.up()
    finally:
        set_faults(cloud)
    moved = project.outputs()
    assert moved["volume_id"] != first["volume_id"] and moved["server_id"] == first["server_id"]
    _attached(cloud, moved)
    assert len(_volumes(cloud)) == 2
    attachments = [r for r in project.resources() if r["type"].endswith("VolumeAttachment")]
    assert [r["id"] for r in attachments] == [moved["attachment_id"]]
    project.preview("--expect-no-changes")
    project.destroy()
