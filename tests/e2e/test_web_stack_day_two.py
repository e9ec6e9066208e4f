"""Day two of a WebStack under traffic, on the real Pulumi engine against sandbox hosts: examples/web-stack
(web 2, app 2, PostgreSQL) deployed once, then each change applied with `pulumi up` while four threads send
`GET /version` through the load balancer (at least 2,000 requests per change, at most 60,000 and 15
minutes): a rolling `app_version` update, the app tier scaled out and in, the web tier scaled in and out,
and a `health_check_path` change (every HAProxy's configuration and every app's health path). Each change
fails no request, ends with the servers it names serving, and leaves a clean preview. A resize that still
costs downtime (the database tier's, and the app tier's until resizes roll) warns at preview, naming the
field, the server and what is lost, and changes nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from .test_web_stack import WebStackRun, deployed_web_stack, network, page, reached, wait_for
from .web_traffic import Traffic, TrafficResult

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(2400)]

CLUSTER: dict[str, Any] = {
    "app_name": "shop",
    "app_version": "1.0",
    "web_tier": {"replicas": 2},
    "app_tier": {"replicas": 2, "auto_scaling": {"enabled": False}},
    "database_tier": {"type": "postgresql", "high_availability": False, "backup_enabled": False},
    "monitoring": {"enabled": False},
    "network": network("10.82"),
}
RESULTS: dict[str, TrafficResult] = {}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStackRun]:
    tmp = tmp_path_factory.mktemp("web-stack-day-two")
    with deployed_web_stack(tmp, CLUSTER, label="day two", public_pool="100.82.0.0/24") as run:
        yield run
    print("\nday two under traffic (requests, failed, p50, p99, wall):")
    for change, result in RESULTS.items():
        print("  " + result.line(change))


def change(stack: WebStackRun, name: str, **edits: Any) -> TrafficResult:
    """Apply `edits` (top-level WebStack fields, sections merged one level deep) with `pulumi up` under
    traffic through the load balancer; the traffic's result, also kept in RESULTS."""
    cluster = json.loads(json.dumps(stack.cluster))
    for key, value in edits.items():
        cluster[key] = {**cluster[key], **value} if isinstance(value, dict) else value
    stack.configure(cluster)
    url = stack.web()
    wait_for("the app answering through the load balancer", lambda: page(url))
    with Traffic(url) as traffic:
        started = time.monotonic()
        stack.project.up()
        result = RESULTS[name] = traffic.result(time.monotonic() - started)
    print(f"\n{name}: {result.summary()}")
    assert result.failed == 0, f"{name}: {result.summary()}"
    assert result.requests >= 2000, f"{name}: {result.summary()}"
    steps = stack.project.preview_json()["steps"]
    changed = {s["urn"]: s["op"] for s in steps if s["op"] not in ("same", "read")}
    assert not {urn: op for urn, op in changed.items() if "pulumi:providers:" not in urn}, changed
    return result


def apps(stack: WebStackRun) -> set[str]:
    return {m["server"] for m in stack.servers("app")}


def test_a_rolling_update_fails_no_request(stack: WebStackRun) -> None:
    change(stack, "app_version 1.0 -> 2.0 (rolling)", app_version="2.0")
    assert page(stack.web())["version"] == "2.0"


def test_scaling_the_app_tier_out_and_in_fails_no_request(stack: WebStackRun) -> None:
    change(stack, "app_tier.replicas 2 -> 3", app_tier={"replicas": 3})
    reached(stack.web(), {"shop-app-0", "shop-app-1", "shop-app-2"})
    change(stack, "app_tier.replicas 3 -> 2", app_tier={"replicas": 2})
    assert apps(stack) == {"shop-app-0", "shop-app-1"}
    reached(stack.web(), {"shop-app-0", "shop-app-1"})


def test_scaling_the_web_tier_in_and_out_fails_no_request(stack: WebStackRun) -> None:
    change(stack, "web_tier.replicas 2 -> 1", web_tier={"replicas": 1})
    assert [m["server"] for m in stack.servers("web")] == ["shop-web-0"]
    change(stack, "web_tier.replicas 1 -> 2", web_tier={"replicas": 2})
    assert [m["server"] for m in stack.servers("web")] == ["shop-web-0", "shop-web-1"]


def test_a_health_check_path_change_fails_no_request(stack: WebStackRun) -> None:
    load_balancer = {**stack.cluster["web_tier"].get("load_balancer", {}), "health_check_path": "/healthz"}
    change(
        stack,
        "health_check_path /health -> /healthz",
        web_tier={**stack.cluster["web_tier"], "load_balancer": load_balancer},
    )
    [balancer] = stack.servers("load_balancer")
    config = stack.sh(balancer["id"], "cat /etc/haproxy/haproxy.cfg")
    assert "option httpchk GET /healthz" in config
    # every proxy sees every server up, checked on the new path
    for member in [balancer, *stack.servers("web")]:
        stats = stack.sh(member["id"], "curl -fsS 'http://127.0.0.1:8404/stats;csv'")
        rows = [row.split(",") for row in stats.splitlines()]
        servers = [r for r in rows if r[0].endswith("-servers") and r[1] not in ("FRONTEND", "BACKEND")]
        assert servers and all(r[17] == "UP" for r in servers), stats


@pytest.mark.parametrize(
    ("tier", "instance_type", "server", "loses"),
    [
        ("database_tier", "t3.large", "shop-db-primary", "the database does not answer until it is back"),
        ("app_tier", "t3.xlarge", "shop-app-0", "a resize does not roll through the tier yet"),
    ],
)
def test_a_resize_that_costs_downtime_warns_at_preview(
    stack: WebStackRun, tier: str, instance_type: str, server: str, loses: str
) -> None:
    before = json.loads(json.dumps(stack.cluster))
    stack.configure({**before, tier: {**before.get(tier, {}), "instance_type": instance_type}})
    try:
        done = stack.project.preview()
    finally:
        stack.configure(before)
    text = done.stdout + done.stderr
    assert f"warning: {tier}.instance_type: server {server} is stopped, resized" in text, text[-3000:]
    assert loses in text
    # the preview changed nothing: the stack is as it was
    clean = stack.project.preview_json()["steps"]
    assert not [s for s in clean if s["op"] not in ("same", "read") and "pulumi:providers:" not in s["urn"]]
