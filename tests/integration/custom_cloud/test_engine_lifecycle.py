"""The Custom Cloud provider on the real Pulumi engine against a real emulator process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provisioning.sdk.ownership import OWNER_LABEL, without_owner
from tests.support.cloud import CloudHandle
from tests.support.cloud_rules import SERVER_RULES

from .conftest import EXAMPLE, HERE, api, instances, project_for, steps

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]


def test_example_server_lifecycle(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(EXAMPLE, tmp_path / "proj", cloud)
    planned = project.preview_json()
    assert steps(planned) == ["create", "create"]
    costs = [
        s["newState"]["inputs"]["estimated_hourly_cost"] for s in planned["steps"] if "Server" in s["urn"]
    ]
    assert sorted(costs) == pytest.approx([0.07, 0.15])

    project.up()
    outputs = project.outputs()
    assert outputs["estimated_hourly_cost"] == pytest.approx(0.22)
    live = {i["id"]: i for i in instances(cloud)}
    assert set(live) == set(outputs["server_ids"]) and all(i["status"] == "running" for i in live.values())
    assert sorted(outputs["private_ips"]) == sorted(i["private_ip"] for i in live.values())

    project.preview("--expect-no-changes")  # a second up changes nothing
    state_text = project.state_file().read_text()
    assert cloud.api_key not in state_text

    project.destroy()
    assert instances(cloud) == []
    with api(cloud) as client:
        assert client.get("/networks").json()["items"] == [] and client.get("/subnets").json()["items"] == []


def test_update_replace_refresh_and_import(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud)
    project.up()
    [first] = instances(cloud)

    project.config_set("t:labels", json.dumps({"env": "prod"}))
    assert steps(project.preview_json()) == ["update"]
    project.up()
    [same] = instances(cloud)
    assert same["id"] == first["id"] and without_owner(same["labels"]) == {"env": "prod"}
    assert same["labels"][OWNER_LABEL] == first["labels"][OWNER_LABEL]  # the update kept the ownership label

    project.config_set("t:zone", "us-west-1b")
    assert "replace" in steps(project.preview_json()) or "create-replacement" in steps(project.preview_json())
    project.up()
    [moved] = instances(cloud)
    assert moved["id"] != first["id"] and moved["zone"] == "us-west-1b"

    with api(cloud) as client:  # out-of-band label change: refresh shows it, up restores it
        client.patch(f"/instances/{moved['id']}", json={"labels": {"env": "hacked"}})
    project.refresh()
    [server] = [r for r in project.resources() if r["type"].endswith("Server")]
    assert server["outputs"]["labels"] == {"env": "hacked"}
    # the serialized provider is no secret (it pickles to no state); a stack's first resource in a provider
    # host keeps it in its inputs too (its Check or Read loads the SDK into the host: only later ones are
    # answered without it), as this one-server stack does
    assert isinstance(server["outputs"]["__provider"], str)
    assert isinstance(server["inputs"].get("__provider", ""), str)
    project.up()
    assert without_owner(instances(cloud)[0]["labels"]) == {"env": "prod"}

    with api(cloud) as client:  # out-of-band delete: refresh drops it, up recreates it
        client.delete(f"/instances/{moved['id']}")
    project.refresh()
    assert not [r for r in project.resources() if r["type"].endswith("Server")]
    project.up()
    [recreated] = instances(cloud)
    assert recreated["id"] != moved["id"]

    # adoption: forget the server from state, then import it with `import_`
    urn = next(r["urn"] for r in project.resources() if r["type"].endswith("Server"))
    project.run("state", "delete", urn, "--yes", "--stack", project.stack)
    project.config_set("t:importId", recreated["id"])
    project.up()
    assert project.outputs()["id"] == recreated["id"] and len(instances(cloud)) == 1
    project.preview("--expect-no-changes")

    project.destroy()
    assert instances(cloud) == []


CONFIG_KEYS = {"machine_type": "t:machineType", "disk_size": "t:diskSize", "zone": "t:zone"}
"""The Server fields the single_server program takes from stack config, by field."""


@pytest.mark.parametrize(
    ("field", "value", "reason"), [rule for rule in SERVER_RULES if rule[0] in CONFIG_KEYS]
)
def test_bad_inputs_fail_at_preview_naming_the_field(
    tmp_path: Path, cloud: CloudHandle, field: str, value: object, reason: str
) -> None:
    config = {CONFIG_KEYS[field]: str(value)}
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud, **config)
    result = project.preview(check=False)
    text = result.stdout + result.stderr
    assert result.returncode != 0 and f"property {field}" in text and reason in text
    assert project.run("up", "--yes", "--stack", project.stack, check=False).returncode != 0
    assert instances(cloud) == []


def test_missing_key_fails_preview_and_key_never_leaks(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud)
    project.run("config", "rm", "custom-cloud:apiKey", "--stack", project.stack)
    result = project.preview(check=False)
    assert result.returncode != 0
    assert "CUSTOM_CLOUD_API_KEY environment variable is required" in result.stdout + result.stderr
    assert instances(cloud) == []

    # The engine itself logs decrypted stack config sent to a dynamic provider's Configure at -v=9, so the
    # verbose run takes the key from the environment (CUSTOM_CLOUD_API_KEY), which never crosses the engine.
    project.env["CUSTOM_CLOUD_API_KEY"] = cloud.api_key
    verbose = project.run("up", "--yes", "--skip-preview", "--stack", project.stack, "-v=9",
                          "--logtostderr", "--logflow")  # fmt: skip
    assert "dynamic host executor raised to" in (tmp_path / "proj" / "logs" / "providers.log").read_text()
    assert cloud.api_key not in verbose.stdout + verbose.stderr
    assert cloud.api_key not in project.state_file().read_text()
    logs = "".join(p.read_text() for p in (tmp_path / "proj" / "logs").glob("*.log"))
    assert logs and cloud.api_key not in logs
    project.destroy()
