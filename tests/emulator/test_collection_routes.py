"""The routes generated for every collection of the API's table (`emulator/routes/collections.py`): create,
list with paging and filters, get, update and delete, each answering in its collection's words (raw JSON)."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.emulator.routes.collections import SERVED, Served
from provisioning.providers.custom_cloud.api import collections as api_collections

from .conftest import AsgiClient, instance_body

BODIES: dict[str, Any] = {
    "/instances": lambda i, _: instance_body(f"i{i}", labels={"n": str(i % 2)}),
    "/networks": lambda i, _: {"name": f"n{i}", "cidr": f"10.{i}.0.0/16", "labels": {"n": str(i % 2)}},
    "/subnets": lambda i, net: {
        "name": f"s{i}",
        "network_id": net,
        "cidr": f"10.99.{i}.0/24",
        "zone": "us-west-1a",
        "labels": {"n": str(i % 2)},
    },
    "/load-balancers": lambda i, _: {
        "name": f"lb{i}",
        "region": "us-west-1",
        "listeners": [{"port": 80, "protocol": "http", "target_port": 8080}],
        "labels": {"n": str(i % 2)},
    },
    "/volumes": lambda i, _: {"name": f"v{i}", "zone": "us-west-1a", "size": 10, "labels": {"n": str(i % 2)}},
}
"""A valid create body of each collection: the i-th item (in network `net` where it needs one)."""

IDS = [s.collection.path for s in SERVED]


def test_every_collection_of_the_api_is_served_once() -> None:
    table = [v for v in vars(api_collections).values() if isinstance(v, api_collections.Collection)]
    assert sorted(s.collection.path for s in SERVED) == sorted(c.path for c in table)
    assert set(BODIES) == {c.path for c in table}


def _made(client: AsgiClient, served: Served, count: int) -> list[str]:
    net = client.post("/v1/networks", json={"name": "home", "cidr": "10.99.0.0/16"}).json()["id"]
    ids = []
    for i in range(count):
        r = client.post(f"/v1{served.collection.path}", json=BODIES[served.collection.path](i, net))
        assert r.status_code == (202 if served.transitions else 201), r.text
        ids.append(r.json()["id"])
    return ids


@pytest.mark.parametrize("served", SERVED, ids=IDS)
def test_list_pages_oldest_first_and_filters(client: AsgiClient, served: Served) -> None:
    path = f"/v1{served.collection.path}"
    made = _made(client, served, 5)
    if served.collection.path == "/networks":
        made = [client.get(path, params={"name": "home"}).json()["items"][0]["id"], *made]
    seen, token, pages = [], None, 0
    while True:
        page = client.get(path, params={"page_size": 2, **({"page_token": token} if token else {})}).json()
        assert set(page) == {"items", "next_page_token"}
        seen += [item["id"] for item in page["items"]]
        token, pages = page["next_page_token"], pages + 1
        if token is None:
            break
    assert seen == made and pages == (len(made) + 1) // 2
    named = client.get(path, params={"name": BODIES[served.collection.path](3, "")["name"]}).json()
    assert [item["id"] for item in named["items"]] == [made[-2]]
    odd = client.get(path, params={"label": "n=1"}).json()["items"]
    assert [item["id"] for item in odd] == [made[-4], made[-2]]
    r = client.get(path, params={"page_token": "garbage!"})
    assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "page_token"


def test_subnets_filter_by_network(client: AsgiClient) -> None:
    made = _made(client, next(s for s in SERVED if s.collection is api_collections.SUBNETS), 2)
    other = client.post("/v1/networks", json={"name": "other", "cidr": "10.98.0.0/16"}).json()["id"]
    sub = {"name": "x", "network_id": other, "cidr": "10.98.1.0/24", "zone": "us-west-1a"}
    assert client.post("/v1/subnets", json=sub).status_code == 201
    home = client.get("/v1/networks", params={"name": "home"}).json()["items"][0]["id"]
    listed = client.get("/v1/subnets", params={"network_id": home}).json()["items"]
    assert [s["id"] for s in listed] == made
    assert len(client.get("/v1/subnets").json()["items"]) == 3


@pytest.mark.parametrize("served", SERVED, ids=IDS)
def test_get_update_and_delete_answer_in_the_collections_words(client: AsgiClient, served: Served) -> None:
    path, noun = f"/v1{served.collection.path}", served.collection.noun
    (rid,) = _made(client, served, 1)
    got = client.get(f"{path}/{rid}")
    assert got.status_code == 200 and got.json()["id"] == rid
    served.collection.public.model_validate(got.json())
    relabelled = client.patch(f"{path}/{rid}", json={"labels": {"team": "a"}})
    assert relabelled.status_code == 200 and relabelled.json()["labels"] == {"team": "a"}
    assert client.get(f"{path}/{rid}").json()["labels"] == {"team": "a"}
    wrong = client.patch(f"{path}/{rid}", json={"no_such_field": 1})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "validation_failed"
    gone = client.delete(f"{path}/{rid}")
    assert gone.status_code == (202 if served.transitions else 204)
    assert (gone.json()["status"] == "deleting") if served.transitions else (gone.content == b"")
    for method in ("GET", "PATCH", "DELETE"):
        r = client.request(method, f"{path}/{rid}", **({"json": {}} if method == "PATCH" else {}))
        assert r.status_code == 404, (method, r.text)
        assert r.json() == {
            "error": {
                "code": "not_found",
                "message": f"{noun} {rid!r} not found",
                "details": {"id": rid, "kind": served.kind},
            }
        }


def test_the_openapi_document_names_each_generated_route_as_before(client: AsgiClient) -> None:
    spec = client.get("/openapi.json").json()["paths"]
    item = spec["/v1/load-balancers/{lb_id}"]
    assert item["get"]["operationId"] == "get_load_balancer_v1_load_balancers__lb_id__get"
    assert item["delete"]["responses"]["202"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LoadBalancerPublic"
    }
    listing = spec["/v1/instances"]["get"]
    assert [p["name"] for p in listing["parameters"]] == [
        "page_size",
        "page_token",
        "name",
        "status",
        "label",
    ]
    assert listing["summary"] == "List Instances" and listing["tags"] == ["instances"]
    assert [p["name"] for p in spec["/v1/instances/{instance_id}"]["delete"]["parameters"]] == [
        "instance_id",
        "keep_storage",
    ]
    subnets = [p["name"] for p in spec["/v1/subnets"]["get"]["parameters"]]
    assert subnets == ["page_size", "page_token", "name", "network_id", "label"]
    assert "204" in spec["/v1/volumes/{volume_id}"]["delete"]["responses"]
