"""WebApp on the real Pulumi engine against machine hosts: the PostgreSQL task service on one server, the web
application on two others (the database named by host name through /etc/hosts, as a cluster does it), HAProxy
in front of them on a fourth; GET / through the app writes a visit row that PostgreSQL holds, items are
written and read; a version change plans and reruns only the release steps (and the health checks after them),
one server after the other (`release_after`): each is drained (its health path answers 503 while the old
version still runs), restarted and healthy again before the next; a probe through HAProxy meanwhile sees no
failed request; /version reports the new version on both."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from .cloud_stacks import CloudStack, command_ops, planned_changes
from .host_services import main_pid_command
from .program_parts import hosts_function, servers_on_one_subnet
from .taskservice_support import deployed_program

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

TIMINGS: dict[str, float] = {}

PROJECT = """\
name: webapp
description: The web application on two servers behind HAProxy, PostgreSQL on another.
runtime: python
config:
  custom-cloud:region:
    value: us-west-1
"""

PROGRAM = (
    '''\
"""PostgreSQL (users app, database app) on `db`, the web application on `app` and `app2` reaching it as
`shop-db`, HAProxy on `lb` balancing over them as `shop-app-1` and `shop-app-2`."""

import pulumi
from pulumi_command import remote

from provisioning.components.taskservs.haproxy import HAProxy
from provisioning.components.taskservs.postgresql import PostgreSQL
from provisioning.components.taskservs.webapp import WebApp
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.ssh import connection_args
from provisioning.sdk.taskservice import Target

'''
    + servers_on_one_subnet("webapp", "10.70")
    + hosts_function("private_key")
    + """

password = config.require_secret("appPassword")
db_server, app_server, app2_server, lb_server = server("db"), server("app"), server("app2"), server("lb")
pg = PostgreSQL("pg", {"users": [{"name": "app"}], "databases": [{"name": "app", "owner": "app"}]},
                target=Target.server(db_server, private_key), passwords={"app": password})
settings = {"app_name": "shop", "environment": "test", "version": config.get("appVersion") or "1.0",
            "database": {"kind": "postgresql", "host": "shop-db", "name": "app", "user": "app"},
            "drain_seconds": 2}
apps = []
for name, on in (("app", app_server), ("app2", app2_server)):
    named = hosts(f"{name}-hosts", on, {"shop-db": db_server})
    apps.append(WebApp(
        name, settings, target=Target.server(on, private_key), database_password=password,
        release_after=[a.release for a in apps],   # one server after the other
        opts=pulumi.ResourceOptions(depends_on=[pg, named]),
    ))
app, app2 = apps
lb_named = hosts("lb-hosts", lb_server, {"shop-app-1": app_server, "shop-app-2": app2_server})
backends = [{"name": f"app-{i}", "address": f"shop-app-{i}", "port": 8080} for i in (1, 2)]
lb = HAProxy("lb", {"check_interval": "500ms", "fall": 2, "rise": 2, "backends": backends},
             target=Target.server(lb_server, private_key), opts=pulumi.ResourceOptions(depends_on=[lb_named]))
pulumi.export("lb_ip", lb_server.private_ip)
pulumi.export("lb_healthy", lb.healthy)
pulumi.export("app2_endpoint", app2.endpoint)
pulumi.export("app_ip", app_server.private_ip)
pulumi.export("app_id", app_server.id)
pulumi.export("db_id", db_server.id)
pulumi.export("endpoint", app.endpoint)
pulumi.export("healthy", app.healthy)
pulumi.export("checks", app.checks)
pulumi.export("version", app.version)
pulumi.export("metadata", app.service_metadata)
pulumi.export("planned_changes", app.planned_changes)
"""
)


class _Poller(threading.Thread):
    """GETs `url` every 50 ms in a thread (with `timeout` per request), each answer or HTTP error to
    `record`, until `stop` (which waits up to `join_timeout` for the last one)."""

    def __init__(self, url: str, *, timeout: float, join_timeout: float) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.timeout = timeout
        self.join_timeout = join_timeout
        self.done = threading.Event()

    def record(self, client: httpx.Client) -> None:
        raise NotImplementedError

    def run(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while not self.done.is_set():
                self.record(client)
                time.sleep(0.05)

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=self.join_timeout)


class _HealthProbe(_Poller):
    """GETs an app's health path every 50 ms; records each distinct (status, version) in turn, and when
    (monotonic clock) it was first seen."""

    def __init__(self, url: str) -> None:
        super().__init__(url, timeout=2, join_timeout=10)
        self.seen: list[tuple[str, str]] = []
        self.since: list[float] = []

    def record(self, client: httpx.Client) -> None:
        try:
            answer = client.get(self.url)
            body = answer.json()
            state = (f"{answer.status_code} {body.get('status')}", str(body.get("version")))
        except httpx.HTTPError:
            state = ("no answer", "")
        if not self.seen or self.seen[-1] != state:
            self.seen.append(state)
            self.since.append(time.monotonic())

    def states(self) -> list[tuple[str, str]]:
        return list(self.seen)

    def first(self, state: tuple[str, str]) -> float:
        return self.since[self.seen.index(state)]


class _LoadProbe(_Poller):
    """GETs / through the load balancer every 50 ms: how many answered 200, which failed and how, and the
    (version, host) pairs that answered."""

    def __init__(self, url: str) -> None:
        super().__init__(url, timeout=10, join_timeout=20)
        self.ok = 0
        self.failed: list[str] = []
        self.answers: set[tuple[str, str]] = set()

    def record(self, client: httpx.Client) -> None:
        try:
            answer = client.get(self.url)
            if answer.status_code == 200:
                self.ok += 1
                page = answer.text
                version = page.split('id="version">')[1].split("<")[0]
                self.answers.add((version, page.split('id="hostname">')[1].split("<")[0]))
            else:
                self.failed.append(f"HTTP {answer.status_code}: {answer.text[:200]}")
        except httpx.HTTPError as exc:
            self.failed.append(repr(exc))


@dataclass
class Stack(CloudStack):
    """The deployed program: its app's URLs and the visits PostgreSQL holds."""

    def url(self, path: str) -> str:
        return f"http://{self.project.outputs()['endpoint']}{path}"

    def visits_in_postgresql(self) -> int:
        db = self.project.outputs()["db_id"]
        sql = "SELECT count(*) FROM webapp_visits"
        return int(self.sh(db, f"runuser -u postgres -- psql -X -d app -Atc '{sql}'").strip())


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("webapp")
    with deployed_program(
        tmp, project=PROJECT, program=PROGRAM, namespace="webapp", stack_type=Stack,
        secrets={"webapp:appPassword": secrets.token_urlsafe(18) + "'q:1"},
        trust=lambda out: [out["app_id"], out["db_id"]], timings=TIMINGS, label="webapp", up="first up",
    ) as ready:  # fmt: skip
        yield ready


def test_the_app_is_healthy(stack: Stack) -> None:
    out = stack.project.outputs()
    assert out["healthy"] is True and out["endpoint"] == f"{out['app_ip']}:8080"
    assert [c["name"] for c in out["checks"]] == ["service", "http", "database", "version"]
    assert out["version"] == "1.0" and out["planned_changes"] == []
    assert out["metadata"]["category"] == "application" and out["lb_healthy"] is True
    # run by the unprivileged user webapp; the password file is private to it
    app = out["app_id"]
    assert stack.sh(app, f"ps -o user= -p $({main_pid_command('webapp')})").strip() == "webapp"
    assert stack.sh(app, "stat -c '%a %U' /etc/webapp/database-password").strip() == "600 webapp"


def test_the_page_writes_to_and_reads_from_postgresql(stack: Stack) -> None:
    first = httpx.get(stack.url("/"), timeout=10)
    assert first.status_code == 200
    assert 'id="version">1.0<' in first.text and 'id="hostname">app<' in first.text
    count = int(first.text.split('id="visits">')[1].split("<")[0])
    second = httpx.get(stack.url("/"), timeout=10)
    assert f'id="visits">{count + 1}<' in second.text
    assert stack.visits_in_postgresql() == count + 1
    made = httpx.post(stack.url("/items"), json={"name": "first order"}, timeout=10)
    assert made.status_code == 201
    assert httpx.get(stack.url("/items"), timeout=10).json()["items"][0] == made.json()
    health = httpx.get(stack.url("/health"), timeout=10).json()
    assert health == {"status": "ok", "database": "up", "version": "1.0"}
    assert "webapp_database_up 1" in httpx.get(stack.url("/metrics"), timeout=10).text


def test_a_version_change_reruns_only_the_release_step(stack: Stack) -> None:
    project = stack.project
    project.config_set("webapp:appVersion", "2.0")
    preview = project.preview_json()
    ops = command_ops(preview, changed=True)
    assert ops == {name: "update" for name in ("app-release", "app-health", "app2-release", "app2-health")}
    assert planned_changes(preview, "app-plan") == ["update"]
    out = project.outputs()
    _wait_both_up(out["lb_ip"])
    before = stack.visits_in_postgresql()
    probes = [_HealthProbe(stack.url("/health")), _HealthProbe(f"http://{out['app2_endpoint']}/health")]
    load = _LoadProbe(f"http://{out['lb_ip']}/")
    for probe in (*probes, load):
        probe.start()
    started = time.monotonic()
    try:
        project.up()
    finally:
        for probe in (*probes, load):
            probe.stop()
    TIMINGS["release up (2 servers)"] = round(time.monotonic() - started, 1)
    # each release drained its server (503 "draining" while 1.0 still ran), restarted it, 2.0 answered after
    for probe in probes:
        states = probe.states()
        assert ("503 draining", "1.0") in states, states
        first_new = states.index(("200 ok", "2.0"))
        assert states.index(("503 draining", "1.0")) < first_new
        assert all(version != "1.0" for _, version in states[first_new:]), states
    # one after the other: the second drained only once the first answered 2.0
    assert probes[0].first(("200 ok", "2.0")) < probes[1].first(("503 draining", "1.0"))
    # through HAProxy: no failed request, both servers answered, every visit is in PostgreSQL
    TIMINGS["requests through haproxy during the release"] = load.ok
    assert load.failed == [] and load.ok > 0
    assert {host for _, host in load.answers} == {"app", "app2"}
    assert ("2.0", "app") in load.answers and ("2.0", "app2") in load.answers
    out = project.outputs()
    assert out["healthy"] is True and out["version"] == "2.0" and out["planned_changes"] == []
    assert httpx.get(stack.url("/version"), timeout=10).json()["version"] == "2.0"
    assert httpx.get(f"http://{out['app2_endpoint']}/version", timeout=10).json()["version"] == "2.0"
    assert 'id="version">2.0<' in httpx.get(stack.url("/"), timeout=10).text
    assert stack.visits_in_postgresql() == before + load.ok + 1


def _wait_both_up(lb_ip: str) -> None:
    """Until HAProxy's stats page shows both app servers UP."""
    deadline = time.monotonic() + 30
    while True:
        text = httpx.get(f"http://{lb_ip}:8404/stats;csv", timeout=5).text
        rows = [line.split(",") for line in text.splitlines() if line.startswith("lb-servers,app-")]
        if len(rows) == 2 and all(row[17] == "UP" for row in rows):
            return
        assert time.monotonic() < deadline, f"both app servers UP on HAProxy: not within 30 s: {rows}"
        time.sleep(0.5)
