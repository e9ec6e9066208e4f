"""Configuration and cross-field mistakes fail `pulumi preview` on the real engine, naming the config key or
the field, and say what to do; nothing is created."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.support.cloud import CloudHandle

from .conftest import HERE, instances, project_for

pytestmark = pytest.mark.engine


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _preview_fails(project: object, *needles: str) -> str:
    result = project.preview(check=False)  # type: ignore[attr-defined]
    text = result.stdout + result.stderr
    assert result.returncode != 0, text
    for needle in needles:
        assert needle in text, f"{needle!r} not in:\n{text}"
    return text


def test_api_url_without_v1_fails_naming_the_key(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud)
    root = cloud.url.removesuffix("/v1")
    project.config_set("custom-cloud:apiUrl", root)
    _preview_fails(project, "custom-cloud:apiUrl", f"'{root}' is not the API's base URL", "/v1")
    assert instances(cloud) == []


def test_wrong_key_fails_naming_the_key_never_its_value(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud)
    project.config_set("custom-cloud:apiKey", "cc-wrong-key-0000", secret=True)
    text = _preview_fails(
        project, "custom-cloud:apiKey", f"the API at {cloud.url} refused the key (401 unauthenticated)"
    )
    assert "cc-wrong-key-0000" not in text and cloud.api_key not in text
    assert instances(cloud) == []


def test_nothing_listening_fails_naming_the_url(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud)
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    project.config_set("custom-cloud:apiUrl", url)
    _preview_fails(project, "custom-cloud:apiUrl", f"nothing listens at {url} (connection refused)")


def test_zone_against_an_existing_subnet_fails_at_preview(tmp_path: Path, cloud: CloudHandle) -> None:
    with cloud.client() as api:
        network = api.post("/networks", json={"name": "cfg-net", "cidr": "10.61.0.0/16"}).json()
        subnet = api.post(
            "/subnets",
            json={
                "name": "cfg-sub",
                "network_id": network["id"],
                "cidr": "10.61.1.0/24",
                "zone": "us-west-1b",
            },
        ).json()
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud, **{"t:subnet": subnet["id"]})
    _preview_fails(
        project,
        "property zone",
        f"zone 'us-west-1a' differs from the zone of subnet {subnet['id']} ('us-west-1b')",
    )
    assert instances(cloud) == []


def test_a_bad_name_from_the_resource_name_says_how_to_set_it(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud, **{"t:resourceName": "Web_1"})
    _preview_fails(
        project,
        "property name",
        "name 'Web_1' must be lowercase letters, digits and dashes",
        "it comes from the resource name; pass name=... to choose another",
    )
    assert instances(cloud) == []
