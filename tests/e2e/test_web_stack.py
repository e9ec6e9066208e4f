"""WebStack on the real Pulumi engine against machine hosts, one deployed stack (examples/web-stack: web 2,
app 2, PostgreSQL with a streaming replica, monitoring) shared by the scenarios, in order: HTTP through the
load balancer reaches the app, which writes to and reads from the database, and the replica has the rows;
scaling the app tier 2 → 3 → 2 previews exactly one server added or removed plus the configs that name it, and
the new server takes traffic; a rolling `app_version` update under a probe loop fails no request and ends with
every app server on the new version; `destroy` with keep_data leaves the database servers' disks as volumes
and nothing else. Helpers here are shared with the other test_web_stack*.py modules."""

from __future__ import annotations

import json
import re
import secrets
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.cloud import CloudHandle
from tests.support.pulumi_cli import REPO_ROOT

from . import cloud_stacks, host_services
from .cloud_stacks import CloudStack, cloud_stack
from .taskservice_support import e2e_cloud, pools_from

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(1800)]

EXAMPLE = REPO_ROOT / "examples" / "web-stack"
TIMINGS: dict[str, float] = {}


def small_cluster(app_name: str, prefix: str) -> dict[str, Any]:
    """The day-two stacks' WebStack: web 2, app 2 (no auto scaling), PostgreSQL without a replica or
    backups, no monitoring, in `prefix`.0.0/16."""
    return {
        "app_name": app_name,
        "app_version": "1.0",
        "web_tier": {"replicas": 2},
        "app_tier": {"replicas": 2, "auto_scaling": {"enabled": False}},
        "database_tier": {"type": "postgresql", "high_availability": False, "backup_enabled": False},
        "monitoring": {"enabled": False},
        "network": network(prefix),
    }


def network(prefix: str) -> dict[str, Any]:
    """The stack's network in `prefix`.0.0/16 (`10.80`): the six subnets follow it (two public, two private
    and two database /24s)."""
    return {"vpc_cidr": f"{prefix}.0.0/16"}


@dataclass
class WebStackRun(CloudStack):
    """A stack of examples/web-stack on a local cloud: project, API, SSH (never prints secrets)."""

    cluster: dict[str, Any]
    password: str = field(repr=False)
    printed: str = field(default="", repr=False)
    """What the first `pulumi up` printed."""

    def configure(self, cluster: dict[str, Any]) -> None:
        """The stack config object `cluster` (what the program passes to WebStack), written into the
        stack's config file (the encrypted secrets beside it stay as they are)."""
        self.cluster = cluster
        path = self.project.workdir / f"Pulumi.{self.project.stack}.yaml"
        settings = (yaml.safe_load(path.read_text()) if path.exists() else None) or {}
        settings.setdefault("config", {})["web-stack:cluster"] = cluster
        path.write_text(yaml.safe_dump(settings, sort_keys=True))

    def servers(self, tier: str) -> list[dict[str, Any]]:
        """The `components` output's records of `tier`."""
        return list(self.outputs()["components"].get(tier, []))

    def sh(self, iid: str, command: str, *, check: bool = True) -> str:
        """Run `command` as root on the instance (its host key trusted from the API's fingerprints first)."""
        if iid not in self._trusted:
            self.trust(iid)
            self._trusted.add(iid)
        return super().sh(iid, command, check=check)

    def web(self) -> str:
        """The load balancer's plain HTTP URL (`endpoints.web` is `https://…` with ssl; port 80 stays)."""
        return "http://" + str(self.outputs()["endpoints"]["web"]).split("://", 1)[1]

    def left_on_cloud(self) -> dict[str, list[str]]:
        """What the project still has on the Custom Cloud, by collection (names)."""
        found = {}
        for collection in ("instances", "networks", "subnets", "load-balancers", "volumes"):
            items = self.api.get(f"/{collection}").raise_for_status().json()["items"]
            found[collection] = sorted(str(item.get("name") or item["id"]) for item in items)
        return found

    _trusted: set[str] = field(default_factory=set)


def stack_run(cloud: CloudHandle, tmp: Path, cluster: dict[str, Any], *, name: str = "proj") -> WebStackRun:
    """A copy of examples/web-stack configured for `cloud` with `cluster` (not deployed yet)."""
    password = secrets.token_urlsafe(18) + "'q:1"  # a quote and a colon: quoting on the way to the host
    run = cloud_stack(
        cloud, tmp, EXAMPLE, namespace="web-stack", stack_type=WebStackRun, name=name,
        secrets={"web-stack:databasePassword": password}, cluster={}, password=password,
    )  # fmt: skip
    run.configure(cluster)
    return run


@contextmanager
def deployed_web_stack(
    tmp: Path, cluster: dict[str, Any], *, label: str, public_pool: str
) -> Iterator[WebStackRun]:
    """examples/web-stack deployed with `cluster` on a cloud of machine hosts whose public addresses come from
    `public_pool` (a /24 in 100.64.0.0/10) or, when another running cloud claims it, the first free /24 after
    it; destroyed at the end (unless a test did); the timings are printed as `label`."""
    with e2e_cloud(tmp / "cloud", public_pools=pools_from(public_pool)) as cloud:
        run = stack_run(cloud, tmp, cluster)
        try:
            started = time.monotonic()
            done = run.project.up()
            run.printed = done.stdout + done.stderr
            TIMINGS[f"{label}: first up"] = round(time.monotonic() - started, 1)
            yield run
        finally:
            try:
                if run.project.resources():
                    run.project.destroy()
            finally:
                run.api.close()
                print(f"\nweb stack e2e timings (s): {json.dumps(TIMINGS)}")


def wait_for(what: str, probe: Any, seconds: float = 60) -> Any:
    """`probe()` until it returns something true (an HTTP error counting as not yet); fails naming `what`
    after `seconds`."""
    return cloud_stacks.wait_for(what, probe, seconds, retry_on=(httpx.HTTPError,))


def page(url: str, *, verify: ssl.SSLContext | bool = True) -> dict[str, Any]:
    """`GET /` of the app through `url` (it records a visit in the database and counts them): app,
    version, hostname and visits read from the page (`verify`: a CA file for HTTPS)."""
    answer = httpx.get(url + "/", timeout=10, verify=verify)
    answer.raise_for_status()
    found = {key: re.search(f'id="{key}">([^<]*)<', answer.text) for key in ("version", "hostname", "visits")}
    title = re.search("<h1>([^<]*)</h1>", answer.text)
    assert title and all(found.values()), f"not the app's page: {answer.text[:300]!r}"
    values: dict[str, Any] = {key: match.group(1) for key, match in found.items() if match}
    return {**values, "app": title.group(1), "visits": int(values["visits"])}


def reached(url: str, hostnames: set[str]) -> None:
    """Requests through `url` reach exactly the app servers `hostnames` (waiting for the proxies' checks)."""
    wait_for(
        f"requests reaching {sorted(hostnames)}",
        lambda: {page(url)["hostname"] for _ in range(4 * len(hostnames))} == hostnames,
    )


def ops(preview: dict[str, Any], kind: str = "") -> dict[str, str]:
    """Resource name → operation for every step of a `pulumi preview --json` that changes something (of
    resources whose type ends with `kind`, when given)."""
    return {
        step["urn"].rsplit("::", 1)[-1]: step["op"]
        for step in preview["steps"]
        if step["op"] not in ("same", "read") and step["urn"].rsplit("::", 1)[0].endswith(kind)
    }


class Probe:
    """A loop of `GET /version` through the load balancer in a thread, counting answers and failures; it
    stops after `limit` requests when given."""

    def __init__(self, url: str, *, limit: int | None = None) -> None:
        self.url = url
        self.limit = limit
        self.ok = 0
        self.failed: list[str] = []
        self.versions: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set() and (self.limit is None or self.ok + len(self.failed) < self.limit):
                try:
                    answer = client.get(self.url + "/version")
                    if answer.status_code == 200:
                        self.ok += 1
                        self.versions.add(str(answer.json()["version"]))
                    else:
                        self.failed.append(f"HTTP {answer.status_code}")
                except httpx.HTTPError as exc:
                    self.failed.append(type(exc).__name__)
                time.sleep(0.05)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


# -- the shared stack ------------------------------------------------------------------------------

CLUSTER: dict[str, Any] = {
    "app_name": "shop",
    "app_version": "1.0",
    "web_tier": {"replicas": 2},
    "app_tier": {"replicas": 2, "auto_scaling": {"enabled": False}},
    "database_tier": {"type": "postgresql", "high_availability": True},
    "monitoring": {"enabled": True, "metrics_retention": "1d"},
    "network": network("10.80"),
    "keep_data": True,
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStackRun]:
    tmp = tmp_path_factory.mktemp("web-stack")
    with deployed_web_stack(tmp, CLUSTER, label="shared stack", public_pool="100.80.0.0/24") as run:
        yield run


def test_up_is_healthy_and_self_describing(stack: WebStackRun) -> None:
    out = stack.outputs()
    assert out["healthy"] is True
    assert out["estimated_hourly_cost"] == pytest.approx(2 * 0.10 + 2 * 0.20 + 0.80 + 0.05)
    components = out["components"]
    assert [m["server"] for m in components["app"]] == ["shop-app-0", "shop-app-1"]
    assert [m["role"] for m in components["database"]] == ["primary", "replica"]
    assert all(m["services"] and m["id"] and m["private_address"] for ms in components.values() for m in ms)
    assert out["endpoints"]["web"].startswith("https://") and out["endpoints"]["monitoring"].endswith(":9090")
    # the secrets are in neither the state nor what the up printed
    key = "".join(stack.private_key.splitlines()[1:-1])
    for text in (stack.project.state_file().read_text(), stack.printed):
        assert stack.password not in text and key[100:160] not in text


def test_the_load_balancer_serves_https_with_the_certificate_it_made(stack: WebStackRun) -> None:
    url = stack.outputs()["endpoints"]["web"]
    [balancer] = stack.servers("load_balancer")
    authority = stack.project.workdir.parent / "load-balancer.crt"
    authority.write_text(stack.sh(balancer["id"], "cat /etc/haproxy/ssl/server.crt"))
    trusted = ssl.create_default_context(cafile=str(authority))
    assert page(url, verify=trusted)["app"] == "shop"


def test_a_request_through_the_load_balancer_reaches_the_app_and_the_database(stack: WebStackRun) -> None:
    url = stack.web()
    first = wait_for("the app's page through the load balancer", lambda: page(url))
    second = page(url)
    assert first["app"] == "shop" and first["version"] == "1.0"
    assert second["visits"] > first["visits"]  # a row written, then counted back
    reached(url, {"shop-app-0", "shop-app-1"})
    # the replica has the rows the primary took
    [primary, replica] = stack.servers("database")
    count = "psql -XAtq -d shop -c 'SELECT count(*) FROM webapp_visits'"
    on_primary = int(stack.sh(primary["id"], f'su postgres -c "{count}"').strip())
    on_replica = wait_for(
        "the replica's copy",
        lambda: int(stack.sh(replica["id"], f'su postgres -c "{count}"').strip()) >= on_primary,
    )
    assert on_replica and on_primary >= 2


def test_scaling_the_app_tier_adds_and_removes_exactly_one_server(stack: WebStackRun) -> None:
    for replicas, op in ((3, "create"), (2, "delete")):
        stack.configure({**stack.cluster, "app_tier": {**stack.cluster["app_tier"], "replicas": replicas}})
        found = stack.project.preview_json()
        preview = ops(found)
        assert ops(found, "custom-cloud:Server") == {"web-stack-app-2": op}, preview
        # what names the new server is rendered again, in place; nothing else changes
        updated = {name for name, o in preview.items() if o == "update"}
        assert {"web-stack-web-0-hosts", "web-stack-web-1-hosts", "web-stack-monitoring-0-hosts"} <= updated
        assert {"web-stack-web-0-haproxy-configure", "web-stack-monitoring-0-prometheus-configure"} <= updated
        assert not {
            n for n in updated if n.startswith(("web-stack-app-0", "web-stack-app-1", "web-stack-db"))
        }
        stack.project.up()
        assert [m["server"] for m in stack.servers("app")] == [f"shop-app-{i}" for i in range(replicas)]
        reached(stack.web(), {f"shop-app-{i}" for i in range(replicas)})


def test_a_rolling_update_fails_no_request(stack: WebStackRun) -> None:
    url = stack.web()
    wait_for("the app answering", lambda: page(url))
    stack.configure({**stack.cluster, "app_version": "2.0"})
    with Probe(url) as probe:
        started = time.monotonic()
        stack.project.up()
        TIMINGS["rolling update"] = round(time.monotonic() - started, 1)
        time.sleep(2)
    assert probe.failed == [] and probe.ok > 20, (
        f"{len(probe.failed)} failed of {probe.ok + len(probe.failed)}"
    )
    assert probe.versions >= {"2.0"}
    for member in stack.servers("app"):
        answer = httpx.get(f"http://{member['private_address']}:8080/version", timeout=5)
        assert answer.json()["version"] == "2.0"


def test_a_stopped_app_is_unhealthy_in_status_while_the_load_balancer_serves(stack: WebStackRun) -> None:
    [first, second] = stack.servers("app")
    stack.sh(first["id"], host_services.stop("webapp"))
    try:
        url = stack.web()
        reached(url, {second["server"]})  # the proxies took the stopped one out
        answers = [httpx.get(url + "/", timeout=10) for _ in range(10)]
        assert [a.status_code for a in answers] == [200] * 10
        done = subprocess.run(
            [sys.executable, "-m", "provisioning.cli", "status", stack.project.stack, "--cwd",
             str(stack.project.workdir), "--json"],
            env=stack.project._environment(), capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr[-2000:]
        found = {s["service"]: s for s in json.loads(done.stdout)["services"]}
        assert found["web-stack-app-0-webapp"]["healthy"] is False
        assert found["web-stack-app-1-webapp"]["healthy"] is True
        assert found["web-stack-lb-0-haproxy"]["healthy"] is True
    finally:
        stack.sh(first["id"], host_services.start("webapp"))
    reached(stack.web(), {first["server"], second["server"]})


def test_destroy_with_keep_data_keeps_only_the_database_volumes(stack: WebStackRun) -> None:
    stack.project.destroy()
    left = stack.left_on_cloud()
    assert left["instances"] == [] and left["networks"] == [] and left["subnets"] == []
    assert left["volumes"] == ["shop-db-primary-disk", "shop-db-replica-disk"]
