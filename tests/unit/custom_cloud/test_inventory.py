"""`provisioning cloud list`'s reading: every collection, every page, from the emulator or any API that
answers the contract (unknown fields ignored)."""

from __future__ import annotations

import json

import httpx

from provisioning.providers.custom_cloud.client import CustomCloudClient
from provisioning.providers.custom_cloud.inventory import KINDS, inventory, inventory_rows

from .conftest import API_KEY, API_URL, Cloud


def _client(transport: httpx.BaseTransport) -> CustomCloudClient:
    return CustomCloudClient(base_url=API_URL, api_key=API_KEY, transport=transport)


def test_the_emulators_resources_are_listed_kind_by_kind(cloud: Cloud) -> None:
    network = cloud.api.post("/v1/networks", json={"name": "net", "cidr": "10.9.0.0/16"}).json()
    cloud.api.post("/v1/volumes", json={"name": "data", "zone": "us-west-1a", "size": 20}).raise_for_status()
    with _client(cloud.transport) as client:
        found = inventory(client)
    assert list(found) == ["instances", "networks", "subnets", "load-balancers", "volumes"]
    rows = [(r.kind, r.id, r.name, r.where, r.detail) for r in inventory_rows(found)]
    assert rows[0] == ("network", network["id"], "net", "", "10.9.0.0/16")
    assert rows[1][0] == "volume" and rows[1][2:] == ("data", "us-west-1a", "20 GB ssd")


def test_any_api_of_the_contract_is_read_page_by_page() -> None:
    """Another implementation: extra fields, two pages of instances, nothing else."""
    stamp = "2026-01-01T00:00:00Z"
    instance = {
        **{"id": "i-1", "name": "a", "machine_type": "small", "zone": "us-west-1a", "region": "us-west-1"},
        **{"status": "running", "hourly_cost": 0.07, "private_ip": "10.0.0.5", "vendor_field": {"x": 1}},
        **{"project_id": "p", "created_at": stamp, "updated_at": stamp},
    }
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        assert request.headers["Authorization"] == f"Bearer {API_KEY}"
        if request.url.path.endswith("/instances") and "page_token" not in request.url.params:
            return httpx.Response(200, json={"items": [instance], "next_page_token": "t2"})
        if request.url.path.endswith("/instances"):
            return httpx.Response(200, json={"items": [{**instance, "id": "i-2", "name": "b"}]})
        return httpx.Response(200, json={"items": []})

    with _client(httpx.MockTransport(answer)) as client:
        found = inventory(client)
    assert [item.model_dump()["id"] for item in found["instances"]] == ["i-1", "i-2"]
    assert all(found[name] == [] for name in KINDS if name != "instances")
    [first, _] = inventory_rows(found)
    assert (first.kind, first.status, first.detail) == ("instance", "running", "small  private 10.0.0.5")
    assert len(asked) == 6 and json.dumps(asked).count("page_token=t2") == 1
