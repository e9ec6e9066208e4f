"""Contract tests on raw JSON against a real server process on 127.0.0.1 (not the shared models)."""

from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.cloud import CloudHandle, running_cloud, serve_command, start_cloud, stop_cloud

from .conftest import instance_body


def api(cloud: CloudHandle) -> httpx.Client:
    return cloud.client()


def test_system_routes(cloud: CloudHandle) -> None:
    assert httpx.get(f"{cloud.root}/healthz").json() == {"status": "ok"}
    spec = httpx.get(f"{cloud.root}/openapi.json").json()
    assert {
        "/v1/instances",
        "/v1/instances/{instance_id}",
        "/v1/networks",
        "/v1/subnets",
        "/v1/load-balancers",
        "/v1/volumes",
        "/v1/regions",
        "/admin/faults",
    } <= set(spec["paths"])
    assert httpx.get(f"{cloud.root}/metrics").headers["content-type"].startswith("text/plain")


def test_catalog_routes(cloud: CloudHandle) -> None:
    with api(cloud) as c:
        regions = c.get("/regions").json()["items"]
        assert regions[0] == {"name": "us-west-1", "zones": ["us-west-1a", "us-west-1b", "us-west-1c"]}
        assert [r["name"] for r in regions] == ["us-west-1", "us-west-2", "us-east-1", "eu-west-1"]
        micro = c.get("/machine-types").json()["items"][0]
        assert micro == {"name": "micro", "vcpus": 1, "memory_gb": 1, "hourly_price": 0.01}
        assert c.get("/disk-types").json() == {"items": [{"name": "ssd"}, {"name": "hdd"}]}
        pricing = c.get("/pricing").json()
        assert pricing["currency"] == "USD" and pricing["machine_types"]["xlarge"] == 0.4
        assert pricing["storage_gb_hour"] == 0.001


def test_instance_round_trip_raw(cloud: CloudHandle) -> None:
    with api(cloud) as c:
        r = c.post("/instances", json=instance_body("raw", labels={"k": "v"}))
        assert r.status_code == 202
        doc: dict[str, Any] = r.json()
        assert set(doc) >= {
            "id",
            "project_id",
            "name",
            "machine_type",
            "zone",
            "disk_size",
            "disk_type",
            "vpc",
            "subnet",
            "external_ip",
            "preemptible",
            "labels",
            "region",
            "status",
            "private_ip",
            "public_ip",
            "created_at",
            "updated_at",
            "hourly_cost",
            "ssh_host",
            "ssh_port",
            "ssh_host_key_fingerprints",
        }
        assert doc["created_at"].endswith("Z") and doc["disk_size"] == 20 and doc["disk_type"] == "ssd"
        assert c.get(f"/instances/{doc['id']}").json()["status"] == "running"
        assert c.patch(f"/instances/{doc['id']}", json={"labels": {}}).json()["labels"] == {}
        assert c.delete(f"/instances/{doc['id']}").json()["status"] == "deleting"
        r = c.get(f"/instances/{doc['id']}")
        assert r.status_code == 404 and r.json()["error"]["details"]["id"] == doc["id"]


def test_every_error_code_over_the_wire(cloud: CloudHandle) -> None:
    with api(cloud) as c:
        bad = c.post("/instances", content=b"[", headers={"content-type": "application/json"})
        assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_request")
        r = httpx.get(f"{cloud.url}/instances")
        assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthenticated")
        assert c.get("/volumes/vol-nope").json()["error"]["code"] == "not_found"
        c.post("/networks", json={"name": "clash", "cidr": "10.0.0.0/8"})
        r = c.post("/networks", json={"name": "clash", "cidr": "10.0.0.0/8"})
        assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")
        r = c.post("/networks", json={"name": "bad", "cidr": "10.0.0.1/8"})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_failed")
        assert (
            r.json()["error"]["details"]["field"] == "cidr"
            and r.json()["error"]["details"]["value"] == "10.0.0.1/8"
        )
        iid = c.post("/instances", json=instance_body("state")).json()["id"]
        r = c.patch(f"/instances/{iid}", json={"machine_type": "micro"})
        assert (r.status_code, r.json()["error"]["code"]) == (409, "invalid_state")
        r = c.post(
            "/volumes", json={"name": "v", "zone": "us-west-1a", "size": 1}, headers={"Idempotency-Key": "z"}
        )
        assert r.status_code == 201
        r = c.post(
            "/volumes", json={"name": "w", "zone": "us-west-1a", "size": 1}, headers={"Idempotency-Key": "z"}
        )
        assert (r.status_code, r.json()["error"]["code"]) == (422, "idempotency_mismatch")


def test_concurrent_idempotent_creates_make_one_instance(cloud: CloudHandle) -> None:
    body = instance_body("racer")

    def post(_: int) -> dict[str, Any]:
        with api(cloud) as c:
            r = c.post("/instances", json=body, headers={"Idempotency-Key": "race-1"})
            assert r.status_code == 202
            doc: dict[str, Any] = r.json()
            return doc

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        ids = {d["id"] for d in pool.map(post, range(32))}
    assert len(ids) == 1
    with api(cloud) as c:
        assert len(c.get("/instances", params={"name": "racer"}).json()["items"]) == 1


def test_rate_limit_and_faults_over_the_wire(tmp_path: Path) -> None:
    with running_cloud(tmp_path, rate_limit=1, fault_error_rate=1.0, fault_route="GET /v1/volumes") as cloud:
        with api(cloud) as c:
            r = c.get("/volumes")
            assert (r.status_code, r.json()["error"]["code"]) in {
                (500, "injected_fault"),
                (503, "injected_fault"),
            }
            r = c.get("/regions")
            assert r.status_code == 429 and r.headers["Retry-After"] == "1"


def test_state_survives_restart_and_kill_9(tmp_path: Path) -> None:
    state = tmp_path / "durable.db"
    cloud = start_cloud(state, lifecycle="timed", boot_delay=0.5)
    with api(cloud) as c:
        net = c.post("/networks", json={"name": "keep", "cidr": "10.99.0.0/16"}).json()
        inst = c.post(
            "/instances", json=instance_body("survivor", vpc=net["id"]), headers={"Idempotency-Key": "dur"}
        ).json()
    assert inst["status"] == "provisioning"
    stop_cloud(cloud.process, kill=True)  # SIGKILL right after the 202: nothing acknowledged may be lost
    assert cloud.process.returncode == -9
    cloud = start_cloud(state, api_key=cloud.api_key, admin_token=cloud.admin_token, lifecycle="timed")
    try:
        with api(cloud) as c:
            got = c.get(f"/instances/{inst['id']}").json()
            assert got["name"] == "survivor" and got["private_ip"] == inst["private_ip"]
            time.sleep(0.6)
            assert c.get(f"/instances/{inst['id']}").json()["status"] == "running"
            replay = c.post(
                "/instances",
                json=instance_body("survivor", vpc=net["id"]),
                headers={"Idempotency-Key": "dur"},
            )
            assert replay.json()["id"] == inst["id"] and replay.headers["Idempotent-Replayed"] == "true"
            assert c.get(f"/networks/{net['id']}").status_code == 200
    finally:
        stop_cloud(cloud.process)
    cloud = start_cloud(state, api_key=cloud.api_key, admin_token=cloud.admin_token)  # clean SIGTERM restart
    try:
        with api(cloud) as c:
            assert c.get(f"/instances/{inst['id']}").json()["status"] == "running"
    finally:
        stop_cloud(cloud.process)


def test_refuses_non_loopback_host(tmp_path: Path) -> None:
    import subprocess

    r = subprocess.run(
        serve_command(tmp_path / "s.db", host="0.0.0.0"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 2 and "127.0.0.0/8" in r.stderr
