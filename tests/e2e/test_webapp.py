"""WebApp on the real Pulumi engine against sandbox hosts: the PostgreSQL task service on one server, the
web application on another (its database named by host name through /etc/hosts, as a cluster does it);
GET / through the app writes a visit row that PostgreSQL holds, items are written and read; a version
change plans and reruns only the release step (and the health checks after it), which drains the app
(its health path answers 503 while the old version still runs), restarts it and waits until it is healthy;
/version reports the new version."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.pulumi_cli import PulumiProject

from .ssh import Ssh, keypair
from .taskservice_support import database_cloud, secret_from_stdin

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

TIMINGS: dict[str, float] = {}

PROJECT = """\
name: webapp
description: The web application on one server, PostgreSQL on another.
runtime: python
config:
  custom-cloud:region:
    value: us-west-1
"""

PROGRAM = '''\
"""PostgreSQL (users app, database app) on `db`, the web application on `app` reaching it as `shop-db`."""

import pulumi
from pulumi_command import remote

from provisioning.components.taskservs.postgresql import PostgreSQL
from provisioning.components.taskservs.webapp import WebApp
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.ssh import connection_args
from provisioning.sdk.taskservice import Target

config = pulumi.Config("webapp")
public_key = config.require("sshPublicKey")
private_key = config.require_secret("sshPrivateKey")
password = config.require_secret("appPassword")

network = Network("net", cidr="10.70.0.0/16")
subnet = Subnet("subnet", network_id=network.id, cidr="10.70.0.0/24", zone="us-west-1a")


def server(name: str) -> Server:
    return Server(name, machine_type="small", zone="us-west-1a", vpc=network.id, subnet=subnet.id,
                  ssh_public_key=public_key, external_ip=False)


db_server, app_server = server("db"), server("app")
pg = PostgreSQL("pg", {"users": [{"name": "app"}], "databases": [{"name": "app", "owner": "app"}]},
                target=Target.server(db_server, private_key), passwords={"app": password})
hosts = remote.Command(
    "hosts", connection=connection_args(app_server, private_key),
    create=db_server.private_ip.apply(
        lambda ip: f"sed -i '/ shop-db$/d' /etc/hosts && echo '{ip} shop-db' >> /etc/hosts"
    ),
)
app = WebApp(
    "app",
    {"app_name": "shop", "environment": "test", "version": config.get("appVersion") or "1.0",
     "database": {"kind": "postgresql", "host": "shop-db", "name": "app", "user": "app"},
     "drain_seconds": 1},
    target=Target.server(app_server, private_key),
    database_password=password,
    opts=pulumi.ResourceOptions(depends_on=[pg, hosts]),
)
pulumi.export("app_ip", app_server.private_ip)
pulumi.export("app_id", app_server.id)
pulumi.export("db_id", db_server.id)
pulumi.export("endpoint", app.endpoint)
pulumi.export("healthy", app.healthy)
pulumi.export("checks", app.checks)
pulumi.export("version", app.version)
pulumi.export("metadata", app.service_metadata)
pulumi.export("planned_changes", app.planned_changes)
'''


class _HealthProbe(threading.Thread):
    """GETs the health path every 50 ms; records each distinct (status, version) in turn."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.seen: list[tuple[str, str]] = []
        self.done = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=2) as client:
            while not self.done.is_set():
                try:
                    answer = client.get(self.url)
                    body = answer.json()
                    state = (f"{answer.status_code} {body.get('status')}", str(body.get("version")))
                except httpx.HTTPError:
                    state = ("no answer", "")
                if not self.seen or self.seen[-1] != state:
                    self.seen.append(state)
                time.sleep(0.05)

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=10)

    def states(self) -> list[tuple[str, str]]:
        return list(self.seen)


@dataclass
class Stack:
    project: PulumiProject
    api: httpx.Client
    ssh: Ssh

    def sh(self, iid: str, command: str, *, check: bool = True) -> str:
        inst = self.api.get(f"/instances/{iid}").raise_for_status().json()
        return self.ssh.run(inst["ssh_host"], inst["ssh_port"], command, check=check)

    def trust(self, iid: str) -> None:
        inst = self.api.get(f"/instances/{iid}").raise_for_status().json()
        self.ssh.trust(inst["ssh_host"], inst["ssh_port"], inst["ssh_host_key_fingerprints"])

    def url(self, path: str) -> str:
        return f"http://{self.project.outputs()['endpoint']}{path}"

    def visits_in_postgresql(self) -> int:
        db = self.project.outputs()["db_id"]
        sql = "SELECT count(*) FROM webapp_visits"
        return int(self.sh(db, f"runuser -u postgres -- psql -X -d app -Atc '{sql}'").strip())


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("webapp")
    source = tmp / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(PROJECT)
    (source / "__main__.py").write_text(PROGRAM)
    with database_cloud(tmp) as cloud:
        key, public = keypair(tmp)
        project = PulumiProject.copy_of(source, tmp / "proj", PROVISIONING_LOG_DIR=str(tmp / "logs"))
        project.config_set("custom-cloud:apiUrl", cloud.url)
        project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
        project.config_set("webapp:sshPublicKey", public)
        secret_from_stdin(project, "webapp:sshPrivateKey", key.read_text())
        secret_from_stdin(project, "webapp:appPassword", secrets.token_urlsafe(18) + "'q:1")
        made = Stack(project, cloud.client(timeout=60), Ssh(key, tmp / "known_hosts"))
        try:
            started = time.monotonic()
            project.up()
            TIMINGS["first up"] = round(time.monotonic() - started, 1)
            out = project.outputs()
            for iid in (out["app_id"], out["db_id"]):
                made.trust(iid)
            yield made
        finally:
            try:
                started = time.monotonic()
                project.destroy()
                TIMINGS["destroy"] = round(time.monotonic() - started, 1)
            finally:
                made.api.close()
                print(f"\nwebapp e2e timings (s): {json.dumps(TIMINGS)}")


def test_the_app_is_healthy(stack: Stack) -> None:
    out = stack.project.outputs()
    assert out["healthy"] is True and out["endpoint"] == f"{out['app_ip']}:8080"
    assert [c["name"] for c in out["checks"]] == ["service", "http", "database", "version"]
    assert out["version"] == "1.0" and out["planned_changes"] == []
    assert out["metadata"]["category"] == "application"
    # run by the unprivileged user webapp; the password file is private to it
    app = out["app_id"]
    assert stack.sh(app, "ps -o user= -p $(cat /run/provisioning/webapp.pid)").strip() == "webapp"
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
    ops = {
        step["urn"].rsplit("::", 1)[-1]: step["op"]
        for step in preview["steps"]
        if "command:remote:Command" in step["urn"] and step["op"] != "same"
    }
    assert ops == {"app-release": "update", "app-health": "update"}
    [plan] = [s for s in preview["steps"] if s["urn"].endswith("TaskServicePlan::app-plan")]
    state = plan.get("newState") or {}
    assert (state.get("outputs") or state.get("inputs") or {}).get("planned_changes") == ["update"]
    before = stack.visits_in_postgresql()
    seen = _HealthProbe(stack.url("/health"))
    seen.start()
    started = time.monotonic()
    try:
        project.up()
    finally:
        seen.stop()
    TIMINGS["release up"] = round(time.monotonic() - started, 1)
    # the release drained it (503 "draining" while 1.0 still ran), restarted it, and 2.0 answered after
    states = seen.states()
    assert ("503 draining", "1.0") in states, states
    first_new = states.index(("200 ok", "2.0"))
    assert states.index(("503 draining", "1.0")) < first_new
    assert all(version != "1.0" for _, version in states[first_new:]), states
    out = project.outputs()
    assert out["healthy"] is True and out["version"] == "2.0" and out["planned_changes"] == []
    assert httpx.get(stack.url("/version"), timeout=10).json()["version"] == "2.0"
    assert 'id="version">2.0<' in httpx.get(stack.url("/"), timeout=10).text
    assert stack.visits_in_postgresql() == before + 1
