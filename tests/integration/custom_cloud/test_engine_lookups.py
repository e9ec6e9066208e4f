"""Lookups and `Server.get` on the real engine: a second stack finds the first one's servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioning.sdk.ownership import OWNER_LABEL, without_owner
from tests.support.cloud import CloudHandle

from .conftest import HERE, api, instances, project_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]


def test_a_second_stack_looks_up_and_adopts_servers_read_only(tmp_path: Path, cloud: CloudHandle) -> None:
    source = project_for(HERE / "lookup_source", tmp_path / "source", cloud)
    source.up()
    live = {i["name"]: i for i in instances(cloud)}
    web_ips = sorted(live[n]["private_ip"] for n in ("web-1", "web-2"))

    consumer = project_for(HERE / "lookup_consumer", tmp_path / "consumer", cloud)
    consumer.up()
    outputs = consumer.outputs()
    assert outputs["web_private_ips"] == web_ips and outputs["web_names"] == ["web-1", "web-2"]
    assert outputs["named_private_ip"] == live["db"]["private_ip"]
    assert outputs["named_labels"] == {"app": "shop", "tier": "db"}  # no ownership label

    # Server.get: read through the provider, kept in step by refresh after an out-of-band change
    web1 = live["web-1"]
    consumer.config_set("t:getId", web1["id"])
    consumer.up()
    assert consumer.outputs()["adopted_labels"] == {"app": "shop", "tier": "web"}
    assert consumer.outputs()["adopted_private_ip"] == web1["private_ip"]
    [adopted] = [r for r in consumer.resources() if r["type"].endswith("Server")]
    assert adopted["id"] == web1["id"] and adopted.get("external") is True

    with api(cloud) as client:
        labels = {"app": "shop", "tier": "web", "patched": "yes", OWNER_LABEL: web1["labels"][OWNER_LABEL]}
        assert client.patch(f"/instances/{web1['id']}", json={"labels": labels}).status_code == 200
    consumer.refresh()
    [adopted] = [r for r in consumer.resources() if r["type"].endswith("Server")]
    assert adopted["outputs"]["labels"] == {"app": "shop", "tier": "web", "patched": "yes"}
    assert cloud.api_key not in consumer.state_file().read_text()

    # read-only: the consumer's destroy leaves every server; the owner's destroy removes them
    consumer.destroy()
    assert {i["name"] for i in instances(cloud)} == {"web-1", "web-2", "db"}
    assert (
        without_owner(next(i for i in instances(cloud) if i["id"] == web1["id"])["labels"])["patched"]
        == "yes"
    )
    source.destroy()
    assert instances(cloud) == []


def test_a_missing_name_fails_naming_it_and_the_key_never_appears(tmp_path: Path, cloud: CloudHandle) -> None:
    consumer = project_for(HERE / "lookup_consumer", tmp_path / "consumer", cloud, **{"t:name": "ghost"})
    result = consumer.preview(check=False)
    text = result.stdout + result.stderr
    assert result.returncode != 0
    assert "no server named 'ghost' in zone us-west-1a" in text
    assert cloud.api_key not in text

    # a refused key: the lookup fails with the API's status and code, never the key
    consumer.config_set("custom-cloud:apiKey", "cc-refused-key-never-shown-7f3", secret=True)
    refused = consumer.preview(check=False)
    text = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "401" in text
    assert "cc-refused-key-never-shown-7f3" not in text and cloud.api_key not in text
