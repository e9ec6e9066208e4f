"""Day two of a WebStack under traffic, on the real Pulumi engine against machine hosts: examples/web-stack
(web 2, app 2, PostgreSQL) deployed once, then each change applied with `pulumi up` while four threads send
`GET /version` through the load balancer (at least 2,000 requests per change, at most 60,000 and 15
minutes): a rolling `app_version` update, the app tier scaled out and in, the web tier scaled in and out,
a `health_check_path` change (every HAProxy's configuration and every app's health path), and resizes of
the app and web tiers (rolling: each server drained from the proxies in front, resized, back once healthy,
before the next). Each change fails no request, ends with the servers it names serving, and leaves a clean
preview. A resize warns at preview naming the field and the server: the database tier's with what the stack
loses, the app tier's that it rolls; the preview changes nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from .test_web_stack import WebStackRun, deployed_web_stack, page, reached, small_cluster, wait_for
from .web_traffic import Traffic, TrafficResult

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(2400)]

CLUSTER: dict[str, Any] = small_cluster("shop", "10.82")
RESULTS: dict[str, TrafficResult] = {}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStackRun]:
    tmp = tmp_path_factory.mktemp("web-stack-day-two")
    with deployed_web_stack(tmp, CLUSTER, label="day two", public_pool="100.82.0.0/24") as run:
        yield run
    print("\nday two under traffic (requests, failed, p50, p99, wall):")
    for change, result in RESULTS.items():
        print("  " + result.line(change))


def change(stack: WebStackRun, name: str, **edits: Any) -> str:
    """Apply `edits` (top-level WebStack fields, sections merged one level deep) with `pulumi up` under
    traffic through the load balancer (the traffic's result kept in RESULTS); the up's output."""
    cluster = json.loads(json.dumps(stack.cluster))
    for key, value in edits.items():
        cluster[key] = {**cluster[key], **value} if isinstance(value, dict) else value
    stack.configure(cluster)
    url = stack.web()
    wait_for("the app answering through the load balancer", lambda: page(url))
    with Traffic(url) as traffic:
        started = time.monotonic()
        done = stack.project.up()
        result = RESULTS[name] = traffic.result(time.monotonic() - started)
    print(f"\n{name}: {result.summary()}")
    assert result.failed == 0, f"{name}: {result.summary()}"
    assert result.requests >= 2000, f"{name}: {result.summary()}"
    steps = stack.project.preview_json()["steps"]
    changed = {s["urn"]: s["op"] for s in steps if s["op"] not in ("same", "read")}
    assert not {urn: op for urn, op in changed.items() if "pulumi:providers:" not in urn}, changed
    return str(done.stdout + done.stderr)


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
    # a tier of one server cannot roll a resize: the preview says so
    says = previewed(stack, "web_tier", "t3.large")
    assert (
        "warning: web_tier.instance_type: server shop-web-0 is stopped, resized (medium -> large) and "
        "started: the web tier has one server, so the resize cannot roll: the stack answers 503 until it is "
        "back; add a replica first (web_tier.replicas 2) to resize without downtime"
    ) in says, says[-3000:]
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
    every_proxy_sees_every_server_up(stack)


def every_proxy_sees_every_server_up(stack: WebStackRun) -> None:
    """The load balancer's and every web server's HAProxy: each server of its pool UP (none left drained)."""
    for member in [*stack.servers("load_balancer"), *stack.servers("web")]:
        stats = stack.sh(member["id"], "curl -fsS 'http://127.0.0.1:8404/stats;csv'")
        rows = [row.split(",") for row in stats.splitlines()]
        servers = [r for r in rows if r[0].endswith("-servers") and r[1] not in ("FRONTEND", "BACKEND")]
        assert servers and all(r[17] == "UP" for r in servers), stats


@pytest.mark.parametrize(
    ("tier", "instance_type", "says"),
    [
        (
            "database_tier",
            "t3.large",
            "server shop-db-primary is stopped, resized (xlarge -> large) and started: the database does not "
            "answer until it is back",
        ),
        (
            "app_tier",
            "t3.xlarge",
            "server shop-app-0 is resized (large -> xlarge) in a rolling update: drained from every web "
            "server's HAProxy",
        ),
    ],
)
def test_a_resize_warns_at_preview(stack: WebStackRun, tier: str, instance_type: str, says: str) -> None:
    text = previewed(stack, tier, instance_type)
    assert f"warning: {tier}.instance_type: {says}" in text, text[-3000:]


def previewed(stack: WebStackRun, tier: str, instance_type: str) -> str:
    """The output of `pulumi preview` with `tier`'s instance type set (its whitespace collapsed); the config
    is put back after, and the stack, previewed again, shows no change."""
    before = json.loads(json.dumps(stack.cluster))
    stack.configure({**before, tier: {**before.get(tier, {}), "instance_type": instance_type}})
    try:
        done = stack.project.preview()
    finally:
        stack.configure(before)
    clean = stack.project.preview_json()["steps"]
    assert not [s for s in clean if s["op"] not in ("same", "read") and "pulumi:providers:" not in s["urn"]]
    return " ".join((done.stdout + done.stderr).split())


def rolled(printed: str, servers: list[str]) -> list[str]:
    """What the up's hooks reported for `servers`, in order: `drained X` and `X is back` lines."""
    found = []
    for line in printed.splitlines():
        for server in servers:
            if f"drained {server} on" in line:
                found.append(f"drained {server}")
            elif f"{server} is back in" in line:
                found.append(f"{server} back")
    return list(dict.fromkeys(found))


def one_at_a_time(printed: str, servers: list[str]) -> None:
    """The up's hooks drained each of `servers` once and put it back before the next was drained."""
    events = rolled(printed, servers)
    turns = [events[i : i + 2] for i in range(0, len(events), 2)]
    assert sorted(turn[0].removeprefix("drained ") for turn in turns) == sorted(servers), events
    assert all(turn == [turn[0], turn[0].removeprefix("drained ") + " back"] for turn in turns), events


def machine_types(stack: WebStackRun, tier: str) -> dict[str, str]:
    """The API's machine type of each server of `tier`."""
    return {m["server"]: stack.instance(m["id"])["machine_type"] for m in stack.servers(tier)}


def test_resizing_the_app_tier_rolls_without_a_failed_request(stack: WebStackRun) -> None:
    printed = change(
        stack, "app_tier.instance_type t3.large -> t3.xlarge", app_tier={"instance_type": "t3.xlarge"}
    )
    resized = machine_types(stack, "app")
    assert set(resized.values()) == {"xlarge"}, resized
    one_at_a_time(printed, sorted(resized))
    reached(stack.web(), set(resized))
    every_proxy_sees_every_server_up(stack)


def test_resizing_the_web_tier_rolls_without_a_failed_request(stack: WebStackRun) -> None:
    printed = change(
        stack, "web_tier.instance_type t3.medium -> t3.large", web_tier={"instance_type": "t3.large"}
    )
    resized = machine_types(stack, "web")
    assert set(resized.values()) == {"large"} and len(resized) == 2, resized
    one_at_a_time(printed, sorted(resized))
    every_proxy_sees_every_server_up(stack)


def test_resizing_both_tiers_at_once_rolls_one_server_at_a_time(stack: WebStackRun) -> None:
    printed = change(
        stack,
        "web and app tiers resized back at once",
        web_tier={"instance_type": "t3.medium"},
        app_tier={"instance_type": "t3.large"},
    )
    web, app = machine_types(stack, "web"), machine_types(stack, "app")
    assert set(web.values()) == {"medium"} and set(app.values()) == {"large"}, (web, app)
    one_at_a_time(printed, sorted([*web, *app]))
    every_proxy_sees_every_server_up(stack)
