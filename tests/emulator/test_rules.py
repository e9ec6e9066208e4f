"""Backend rules through the HTTP layer, in process (httpx over ASGI, no sockets)."""

from __future__ import annotations

import ipaddress
import time
from typing import Any

import pytest

import provisioning.emulator as emulator
from provisioning.emulator.errors import ApiError
from provisioning.emulator.hosts import RecordHostBackend
from provisioning.providers.custom_cloud.api import catalog, models as api_models

from .conftest import AsgiClient, instance_body


def make_instance(client: AsgiClient, name: str, **extra: Any) -> dict[str, Any]:
    r = client.post("/v1/instances", json=instance_body(name, **extra))
    assert r.status_code == 202, r.text
    doc: dict[str, Any] = r.json()
    return doc


def test_exports_are_real() -> None:
    for name in emulator.__all__:
        assert hasattr(emulator, name), name


def test_catalog_and_models_agree() -> None:
    schema = api_models.InstancePublic.model_json_schema()["properties"]
    assert schema["region"]["enum"] == list(catalog.REGIONS)
    assert schema["zone"]["enum"] == list(catalog.ALL_ZONES)
    assert schema["machine_type"]["enum"] == list(catalog.MACHINE_TYPES)
    assert schema["disk_type"]["enum"] == list(catalog.DISK_TYPES)
    assert [m.hourly_price for m in catalog.MACHINE_TYPES.values()] == [0.01, 0.05, 0.10, 0.20, 0.40]
    assert catalog.hourly_cost("medium", 50) == pytest.approx(0.15)
    assert catalog.region_of_zone("eu-west-1c") == "eu-west-1"
    assert catalog.zones_of("us-east-1") == ("us-east-1a", "us-east-1b", "us-east-1c")
    with pytest.raises(ValueError, match="unknown zone"):
        catalog.region_of_zone("mars-1a")


def test_create_then_running(client: AsgiClient) -> None:
    doc = make_instance(client, "web", disk_size=30, labels={"env": "prod"})
    assert doc["status"] == "provisioning"
    assert doc["id"].startswith("i-") and doc["region"] == "us-west-1"
    assert doc["hourly_cost"] == pytest.approx(0.05 + 30 * 0.001)
    assert ipaddress.ip_address(doc["public_ip"]) in ipaddress.ip_network("127.0.0.0/8")
    assert doc["ssh_host"] is None and doc["ssh_host_key_fingerprints"] == []
    got = client.get(f"/v1/instances/{doc['id']}").json()
    assert got["status"] == "running"
    api_models.InstancePublic.model_validate(got)


def test_no_public_ip_without_external_ip(client: AsgiClient) -> None:
    assert make_instance(client, "priv", external_ip=False)["public_ip"] is None


def test_name_unique_per_zone(client: AsgiClient) -> None:
    make_instance(client, "dup")
    r = client.post("/v1/instances", json=instance_body("dup"))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict" and r.json()["error"]["details"]["field"] == "name"
    assert client.post("/v1/instances", json=instance_body("dup", zone="us-west-1b")).status_code == 202


def test_validation_envelope_names_field_value_rule(client: AsgiClient) -> None:
    r = client.post("/v1/instances", json=instance_body("ok", disk_size=5))
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    assert (details["field"], details["value"], details["rule"]) == ("disk_size", 5, "greater_than_equal")
    r = client.post("/v1/instances", json={"name": "x", "zone": "nowhere-1a", "machine_type": "huge"})
    fields = {e["field"] for e in r.json()["error"]["details"]["errors"]}
    assert fields == {"zone", "machine_type"}
    r = client.post("/v1/instances", json=instance_body("ok", bogus=1))
    assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "bogus"


def test_malformed_json_is_400(client: AsgiClient) -> None:
    r = client.post("/v1/instances", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request"


def test_update_rules(client: AsgiClient) -> None:
    iid = make_instance(client, "upd", disk_size=40)["id"]
    r = client.patch(f"/v1/instances/{iid}", json={"disk_size": 30})
    assert r.status_code == 422 and r.json()["error"]["details"]["rule"] == "grow_only"
    r = client.patch(f"/v1/instances/{iid}", json={"machine_type": "large"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"
    assert client.post(f"/v1/instances/{iid}/stop").json()["status"] == "stopping"
    assert client.get(f"/v1/instances/{iid}").json()["status"] == "stopped"
    r = client.patch(
        f"/v1/instances/{iid}", json={"machine_type": "large", "disk_size": 50, "labels": {"a": "b"}}
    )
    assert r.status_code == 200, r.text
    assert r.json()["hourly_cost"] == pytest.approx(0.20 + 0.05)
    assert r.json()["labels"] == {"a": "b"}


class _ResizeHook(RecordHostBackend):
    """Records the machine types the host was told; refuses one when `fail` is set."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = False

    def resize(self, instance_id: str, machine_type: str) -> None:
        if self.fail:
            raise ApiError("machine host failed: no such spec")
        self.calls.append((instance_id, machine_type))


def test_a_resize_tells_the_host_and_a_failing_host_undoes_it(client: AsgiClient) -> None:
    hosts = client.app.state.backend.hosts = _ResizeHook()
    iid = make_instance(client, "resized")["id"]
    client.post(f"/v1/instances/{iid}/stop")
    assert client.patch(f"/v1/instances/{iid}", json={"labels": {"a": "b"}}).status_code == 200
    assert client.patch(f"/v1/instances/{iid}", json={"machine_type": "large"}).status_code == 200
    assert hosts.calls == [(iid, "large")]  # the relabel told the host nothing
    hosts.fail = True
    assert client.patch(f"/v1/instances/{iid}", json={"machine_type": "small"}).status_code == 500
    assert client.get(f"/v1/instances/{iid}").json()["machine_type"] == "large"


def test_actions_follow_the_state_machine(client: AsgiClient) -> None:
    iid = make_instance(client, "act")["id"]
    assert client.post(f"/v1/instances/{iid}/reboot").json()["status"] == "rebooting"
    assert client.post(f"/v1/instances/{iid}/stop").json()["status"] == "stopping"
    r = client.post(f"/v1/instances/{iid}/reboot")
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"
    assert client.post(f"/v1/instances/{iid}/start").json()["status"] == "starting"
    assert client.get(f"/v1/instances/{iid}").json()["status"] == "running"
    assert client.post(f"/v1/instances/{iid}/explode").status_code == 422


def test_delete_and_keep_storage(client: AsgiClient) -> None:
    gone = make_instance(client, "gone")["id"]
    r = client.delete(f"/v1/instances/{gone}")
    assert r.status_code == 202 and r.json()["status"] == "deleting"
    assert client.get(f"/v1/instances/{gone}").status_code == 404
    kept = make_instance(client, "kept", disk_size=70)["id"]
    r = client.delete(f"/v1/instances/{kept}", params={"keep_storage": "true"})
    vid = r.json()["retained_volume_id"]
    vol = client.get(f"/v1/volumes/{vid}").json()
    assert (vol["name"], vol["size"], vol["source_instance_id"]) == ("kept-disk", 70, kept)
    # the name is free again once the instance is gone
    make_instance(client, "gone")


def test_networks_subnets_and_dependents(client: AsgiClient) -> None:
    net = client.post(
        "/v1/networks", json={"name": "vpc", "cidr": "10.10.0.0/16", "region": "us-west-1"}
    ).json()
    r = client.post(
        "/v1/subnets",
        json={"name": "out", "network_id": net["id"], "cidr": "10.11.0.0/24", "zone": "us-west-1a"},
    )
    assert r.status_code == 422 and r.json()["error"]["details"]["rule"] == "within_network"
    sub = client.post(
        "/v1/subnets",
        json={"name": "a", "network_id": net["id"], "cidr": "10.10.1.0/24", "zone": "us-west-1a"},
    ).json()
    r = client.post(
        "/v1/subnets",
        json={"name": "b", "network_id": net["id"], "cidr": "10.10.1.128/25", "zone": "us-west-1a"},
    )
    assert r.status_code == 409 and r.json()["error"]["details"]["field"] == "cidr"
    inst = make_instance(client, "in-subnet", subnet=sub["id"])
    assert ipaddress.ip_address(inst["private_ip"]) in ipaddress.ip_network("10.10.1.0/24")
    assert inst["vpc"] == net["id"]
    r = client.delete(f"/v1/networks/{net['id']}")
    assert r.status_code == 409 and set(r.json()["error"]["details"]["dependents"]) == {sub["id"], inst["id"]}
    r = client.delete(f"/v1/subnets/{sub['id']}")
    assert r.status_code == 409 and r.json()["error"]["details"]["dependents"] == [inst["id"]]
    r = client.post("/v1/instances", json=instance_body("wrong-zone", zone="us-west-1b", subnet=sub["id"]))
    assert r.status_code == 422 and r.json()["error"]["details"]["rule"] == "same_zone"
    client.delete(f"/v1/instances/{inst['id']}")
    assert client.delete(f"/v1/subnets/{sub['id']}").status_code == 204
    assert client.delete(f"/v1/networks/{net['id']}").status_code == 204
    assert client.get(f"/v1/networks/{net['id']}").status_code == 404


def test_private_ips_are_distinct(client: AsgiClient) -> None:
    ips = {make_instance(client, f"n{i}")["private_ip"] for i in range(5)}
    assert len(ips) == 5


def test_load_balancer_targets(client: AsgiClient) -> None:
    iid = make_instance(client, "target")["id"]
    body = {
        "name": "lb",
        "region": "us-west-1",
        "listeners": [{"port": 80, "protocol": "http", "target_port": 8080}],
        "target_instance_ids": ["i-missing"],
    }
    r = client.post("/v1/load-balancers", json=body)
    assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "target_instance_ids.0"
    lb = client.post("/v1/load-balancers", json={**body, "target_instance_ids": [iid]}).json()
    assert lb["status"] == "provisioning"
    assert client.get(f"/v1/load-balancers/{lb['id']}").json()["status"] == "active"
    other = make_instance(client, "other")["id"]
    both = client.patch(f"/v1/load-balancers/{lb['id']}", json={"target_instance_ids": [iid, other]})
    assert both.json()["target_instance_ids"] == [iid, other]
    assert client.delete(f"/v1/instances/{iid}").status_code == 202  # a target leaves its balancers
    assert client.get(f"/v1/load-balancers/{lb['id']}").json()["target_instance_ids"] == [other]
    assert client.delete(f"/v1/load-balancers/{lb['id']}").json()["status"] == "deleting"
    assert client.get(f"/v1/load-balancers/{lb['id']}").status_code == 404


def test_volume_grow_only(client: AsgiClient) -> None:
    vol = client.post("/v1/volumes", json={"name": "data", "zone": "eu-west-1a", "size": 10}).json()
    assert vol["region"] == "eu-west-1" and vol["status"] == "available"
    r = client.patch(f"/v1/volumes/{vol['id']}", json={"size": 5})
    assert r.status_code == 422 and r.json()["error"]["details"]["rule"] == "grow_only"
    assert client.patch(f"/v1/volumes/{vol['id']}", json={"size": 15}).json()["size"] == 15
    assert client.delete(f"/v1/volumes/{vol['id']}").status_code == 204


def test_pagination_and_filters(client: AsgiClient) -> None:
    made = [make_instance(client, f"p{i}", labels={"tier": "web" if i % 2 else "db"})["id"] for i in range(7)]
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"page_size": 3}
        if token:
            params["page_token"] = token
        page = client.get("/v1/instances", params=params).json()
        seen += [i["id"] for i in page["items"]]
        pages += 1
        token = page["next_page_token"]
        if token is None:
            break
    assert seen == made and pages == 3
    web = client.get("/v1/instances", params={"label": "tier=web"}).json()["items"]
    assert [i["id"] for i in web] == made[1::2]
    assert [i["id"] for i in client.get("/v1/instances", params={"name": "p3"}).json()["items"]] == [made[3]]
    assert len(client.get("/v1/instances", params={"status": "running"}).json()["items"]) == 7
    assert client.get("/v1/instances", params={"status": "stopped"}).json()["items"] == []
    r = client.get("/v1/instances", params={"page_token": "garbage!"})
    assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "page_token"
    r = client.get("/v1/instances", params={"label": "novalue"})
    assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "label"


def test_idempotency(client: AsgiClient) -> None:
    body = instance_body("idem")
    first = client.post("/v1/instances", json=body, headers={"Idempotency-Key": "k1"})
    again = client.post("/v1/instances", json=body, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 202 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    r = client.post("/v1/instances", json=instance_body("other"), headers={"Idempotency-Key": "k1"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_mismatch"
    assert len(client.get("/v1/instances").json()["items"]) == 1


def test_auth_and_tenancy(client: AsgiClient) -> None:
    iid = make_instance(client, "mine")["id"]
    assert client.get("/v1/instances", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert (
        client.get("/v1/regions", headers={"Authorization": ""}).json()["error"]["code"] == "unauthenticated"
    )
    assert client.post("/admin/projects", json={"name": "other"}).status_code == 401
    created = client.admin("POST", "/admin/projects", json={"name": "other"})
    assert created.status_code == 201
    other = {"Authorization": f"Bearer {created.json()['api_key']}"}
    r = client.get(f"/v1/instances/{iid}", headers=other)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.get("/v1/instances", headers=other).json()["items"] == []
    assert client.delete(f"/v1/instances/{iid}", headers=other).status_code == 404
    assert client.admin("POST", "/admin/projects", json={"name": "other"}).status_code == 409


def test_keys_are_stored_hashed(client: AsgiClient) -> None:
    from .conftest import API_KEY

    rows = client.app.state.store.reader().execute("SELECT key_hash FROM api_keys").fetchall()
    assert rows and all(API_KEY not in r[0] for r in rows)


def test_rate_limit(make_client: Any) -> None:
    client = make_client(rate_limit=2)
    statuses = [client.get("/v1/regions").status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and 429 in statuses[2:]
    r = client.get("/v1/regions")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"]["code"] == "rate_limited"


def test_fault_injection(client: AsgiClient) -> None:
    faults = {"error_rate": 1.0, "error_statuses": [503], "routes": ["GET /v1/instances"], "latency_ms": 50}
    assert client.admin("PUT", "/admin/faults", json=faults).status_code == 200
    start = time.perf_counter()
    r = client.get("/v1/instances")
    assert time.perf_counter() - start >= 0.05
    assert r.status_code == 503 and r.json()["error"]["code"] == "injected_fault"
    assert client.get("/v1/regions").status_code == 200
    assert client.admin("GET", "/admin/info").json()["faults"]["error_rate"] == 1.0
    client.admin("PUT", "/admin/faults", json={})
    assert client.get("/v1/instances").status_code == 200


def test_manual_lifecycle_and_stuck(make_client: Any) -> None:
    client = make_client(lifecycle="manual")
    iid = make_instance(client, "man")["id"]
    assert client.get(f"/v1/instances/{iid}").json()["status"] == "provisioning"
    r = client.admin("POST", f"/admin/instances/{iid}/advance")
    assert r.json() == {"id": iid, "status": "running"}
    assert client.get(f"/v1/instances/{iid}").json()["status"] == "running"
    assert client.admin("POST", f"/admin/instances/{iid}/advance").status_code == 409
    client.admin("PUT", "/admin/lifecycle", json={"mode": "immediate"})
    client.admin("PUT", "/admin/faults", json={"stuck_in_provisioning": True})
    stuck = make_instance(client, "stuck")["id"]
    assert client.get(f"/v1/instances/{stuck}").json()["status"] == "provisioning"


def test_timed_lifecycle(make_client: Any) -> None:
    client = make_client(lifecycle="timed", boot_delay_s=0.3)
    iid = make_instance(client, "timed")["id"]
    assert client.get(f"/v1/instances/{iid}").json()["status"] == "provisioning"
    assert client.get("/v1/instances", params={"status": "provisioning"}).json()["items"]
    time.sleep(0.35)
    got = client.get(f"/v1/instances/{iid}").json()
    assert got["status"] == "running" and got["updated_at"] > got["created_at"]
    assert client.app.state.backend.sweep() == 1  # the sweeper persists what reads already showed


def test_admin_reset_info_and_metrics(client: AsgiClient) -> None:
    make_instance(client, "r1")
    pid = client.get("/v1/instances").json()["items"][0]["project_id"]
    assert client.admin("POST", f"/admin/projects/{pid}/reset").json()["removed"] == 1
    assert client.get("/v1/instances").json()["items"] == []
    info = client.admin("GET", "/admin/info").json()
    assert info["host_backend"] == "record" and info["lifecycle"]["mode"] == "immediate"
    make_instance(client, "r2")
    text = client.get("/metrics").text
    assert 'custom_cloud_requests_total{route="/v1/instances",method="POST",status="202"}' in text
    assert 'custom_cloud_resources{kind="instance",status="running"} 1' in text
    assert "custom_cloud_request_duration_seconds_bucket" in text


def test_unknown_route_and_method(client: AsgiClient) -> None:
    assert client.get("/v1/nothing").json()["error"]["code"] == "not_found"
    assert client.request("PUT", "/v1/instances").status_code == 405


def test_key_cache_follows_a_rebound_key(client: AsgiClient) -> None:
    from .conftest import API_KEY

    backend = client.app.state.backend
    first = backend.project_of_key(API_KEY)
    assert first is not None and client.get("/v1/instances").status_code == 200  # now cached
    other = backend.ensure_project("rebound", API_KEY)
    assert other != first and backend.project_of_key(API_KEY) == other


def test_group_commit_fails_a_write_alone(client: AsgiClient) -> None:
    import sqlite3
    import threading
    from concurrent.futures import Future

    store = client.app.state.store

    def bad(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO projects(id, name, created_at) VALUES ('p-bad', 'bad', 'now')")
        raise RuntimeError("boom")

    def good(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO projects(id, name, created_at) VALUES ('p-good', 'good', 'now')")
        return "ok"

    running, release = threading.Event(), threading.Event()

    def blocker(conn: sqlite3.Connection) -> None:
        running.set()
        release.wait(10)

    first = store.submit(blocker)  # holds the writer: the next two writes queue up and form one batch
    assert running.wait(10)
    futures: list[Future[Any]] = [store.submit(bad), store.submit(good)]
    release.set()
    first.result(timeout=10)
    with pytest.raises(RuntimeError, match="boom"):
        futures[0].result(timeout=10)
    assert futures[1].result(timeout=10) == "ok"
    names = {r[0] for r in store.reader().execute("SELECT name FROM projects")}
    assert "good" in names and "bad" not in names
