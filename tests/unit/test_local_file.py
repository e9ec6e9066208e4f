"""LocalFile: provider methods called directly, and the resource under Pulumi mocks."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from provisioning.sdk.local_file import LocalFile, LocalFileProvider


def test_check_names_the_property_value_and_rule() -> None:
    result = LocalFileProvider().check({}, {"path": "relative.txt", "content": "x", "mode": 0o1777})
    reasons = {failure.property: failure.reason for failure in result.failures}
    assert reasons == {
        "path": "path must be an absolute path (got 'relative.txt')",
        "mode": "mode must be a permission between 0 and 0o777 (got 1023)",
    }


def test_check_accepts_engine_floats_for_mode(tmp_path: Path) -> None:
    result = LocalFileProvider().check({}, {"path": str(tmp_path / "f"), "content": "x", "mode": 420.0})
    assert result.failures == [] and result.inputs["mode"] == 0o644


def test_create_read_update_delete(tmp_path: Path) -> None:
    provider = LocalFileProvider()
    target = tmp_path / "sub" / "file.txt"
    created = provider.create({"path": str(target), "content": "one", "mode": 0o600})
    assert created.id == str(target) and target.read_text() == "one"
    assert target.stat().st_mode & 0o777 == 0o600

    target.write_text("drifted")
    read = provider.read(created.id, created.outs)
    assert read.outs["content"] == "drifted"

    diff = provider.diff(created.id, created.outs, {**created.outs, "content": "two"})
    assert diff.changes and not diff.replaces
    assert provider.diff(created.id, created.outs, {**created.outs, "path": "/elsewhere"}).replaces == [
        "path"
    ]

    provider.update(created.id, created.outs, {**created.outs, "content": "two"})
    assert target.read_text() == "two"

    provider.delete(created.id, created.outs)
    assert not target.exists()
    assert provider.read(created.id, created.outs).id == ""
    provider.delete(created.id, created.outs)  # deleting twice is not an error


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.created.append(args)
        return f"{args.name}-id", {**args.inputs, "sha256": "digest"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        return {}, None


@pytest.fixture
def mocks() -> RecordingMocks:
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    yield recording
    pulumi.runtime.settings.reset_options()


@pulumi.runtime.test
def test_resource_type_and_outputs_under_mocks(mocks: RecordingMocks) -> pulumi.Output:
    resource = LocalFile("motd", path="/tmp/motd", content="hi")

    def assert_outputs(values: list) -> None:
        path, digest = values
        assert path == "/tmp/motd" and digest == "digest"
        assert [args.typ for args in mocks.created] == ["pulumi-python:dynamic/provisioning:LocalFile"]

    return pulumi.Output.all(resource.path, resource.sha256).apply(assert_outputs)
