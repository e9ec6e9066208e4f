"""Task services on machine hosts (Debian 12 machines with systemd as PID 1), on the real Pulumi engine: one
`pulumi up` installs CustomDatabase, PostgreSQL, MariaDB, Prometheus, WebApp (on PostgreSQL's database) and
HAProxy (in front of WebApp), each on its own server booted from the minimal image, with apt through the
cloud's package cache (whose log shows it served their packages). Each runs as an enabled systemd unit that
logs to the journal; data written is read back (WebApp's item also through HAProxy); a HAProxy config
change reloads it (same master process, a new worker) while a probe through it sees no failed request; a
unit killed with SIGKILL is restarted by systemd; after the API reboots its server each comes back healthy
with its data; a WebApp release that cannot start fails quoting its unit's journal; removing WebApp and
HAProxy from the program leaves no unit, file, user or package of theirs."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.cloud import CloudHandle
from tests.support.pulumi_cli import PulumiError

from .cloud_stacks import CloudStack, cloud_stack, deployed, inline_project, wait_for
from .machine_cloud import MachineCloud, machine_cloud, wait_status
from .program_parts import hosts_function
from .test_web_stack import Probe

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(1800)]

POOL = "100.95.0.0/24"
"""This module's own public pool (claimed for the cloud's life); its `.1` is the package cache."""
TIMINGS: dict[str, float] = {}

PROJECT = """\
name: machine-taskservices-e2e
description: CustomDatabase, PostgreSQL, MariaDB, Prometheus, WebApp and HAProxy on machine hosts.
runtime: python
config:
  custom-cloud:region:
    value: us-west-1
"""

PROGRAM = (
    '''\
"""Six servers of the minimal Debian 12 image, one task service on each: WebApp uses PostgreSQL's database
`shop` (as `mt-db`), HAProxy balances over WebApp (as `mt-app`), both named in /etc/hosts."""

import pulumi
from pulumi_command import remote

from provisioning.components.taskservs.custom_database import CustomDatabase
from provisioning.components.taskservs.haproxy import HAProxy
from provisioning.components.taskservs.mariadb import MariaDB
from provisioning.components.taskservs.postgresql import PostgreSQL
from provisioning.components.taskservs.prometheus import Prometheus
from provisioning.components.taskservs.webapp import WebApp
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.ssh import connection_args
from provisioning.sdk.taskservice import Target

config = pulumi.Config("mt")
key = config.require_secret("sshPrivateKey")
network = Network("mt-net", cidr="10.195.0.0/16")
subnet = Subnet("mt-subnet", network_id=network.id, cidr="10.195.0.0/24", zone="us-west-1a")
servers = {
    name: Server(name, machine_type="small", zone="us-west-1a", vpc=network.id, subnet=subnet.id,
                 ssh_public_key=config.require("sshPublicKey"), external_ip=False)
    for name in ("customdb", "postgresql", "mariadb", "prometheus", "webapp", "haproxy")
}
'''
    + hosts_function("key")
    + """

services = {
    "customdb": CustomDatabase("cdb", {"backup": {"schedule": "15 3 * * *"}},
                               target=Target.server(servers["customdb"], key),
                               admin_password=config.require_secret("adminPassword")),
    "postgresql": PostgreSQL("pg", {"users": [{"name": "app"}],
                                    "databases": [{"name": "shop", "owner": "app"}]},
                             target=Target.server(servers["postgresql"], key),
                             passwords={"app": config.require_secret("appPassword")}),
    "mariadb": MariaDB("mdb", {"users": [{"name": "app"}], "databases": [{"name": "shop", "owner": "app"}]},
                       target=Target.server(servers["mariadb"], key),
                       passwords={"app": config.require_secret("appPassword")}),
    "prometheus": Prometheus("mon", {"scrape_interval": "2s"},
                             target=Target.server(servers["prometheus"], key)),
}
app_hosts = hosts("app-hosts", servers["webapp"], {"mt-db": servers["postgresql"]})
lb_hosts = hosts("lb-hosts", servers["haproxy"], {"mt-app": servers["webapp"]})
if config.get_bool("web") is not False:  # mt:web false removes WebApp and HAProxy (their servers stay)
    services["webapp"] = WebApp(
        "app", {"app_name": "shop", "version": config.get("appVersion") or "1.0", "drain_seconds": 1,
                "database": {"kind": "postgresql", "host": "mt-db", "name": "shop", "user": "app"}},
        target=Target.server(servers["webapp"], key), database_password=config.require_secret("appPassword"),
        opts=pulumi.ResourceOptions(depends_on=[services["postgresql"], app_hosts]),
    )
    services["haproxy"] = HAProxy(
        "lb", {"check_interval": config.get("checkInterval") or "1s",
               "backends": [{"name": "app", "address": "mt-app", "port": 8080}]},
        target=Target.server(servers["haproxy"], key),
        configure_after=[services["webapp"].commands["health"]],
        opts=pulumi.ResourceOptions(depends_on=[lb_hosts]),
    )
pulumi.export("ids", {name: server.id for name, server in servers.items()})
pulumi.export("addresses", {name: server.private_ip for name, server in servers.items()})
pulumi.export("healthy", {name: service.healthy for name, service in services.items()})
pulumi.export("checks", {name: service.checks for name, service in services.items()})
pulumi.export("versions", {name: service.version for name, service in services.items()})
"""
)

UNITS = {
    "customdb": ["customdb", "customdb-exporter"],
    "postgresql": ["postgresql@15-main"],
    "mariadb": ["mariadb"],
    "prometheus": ["prometheus"],
    "webapp": ["webapp"],
    "haproxy": ["haproxy"],
}
"""The systemd units each server runs for its task service."""

PACKAGES = {"customdb": "postgresql-15", "postgresql": "postgresql-15", "mariadb": "mariadb-server-core",
            "prometheus": "prometheus", "webapp": "python3-psycopg2", "haproxy": "haproxy"}  # fmt: skip
"""A package of each service that the minimal image does not hold (installed through the cache)."""


@dataclass
class Stack(CloudStack):
    """The deployed program on a machine-host cloud, with the cloud's state folder and the password."""

    state_dir: Path = field(default=Path())
    password: str = field(default="", repr=False)

    def ids(self) -> dict[str, str]:
        return dict(self.outputs()["ids"])

    def on(self, service: str, command: str, *, check: bool = True) -> str:
        return self.sh(self.ids()[service], command, check=check)

    def read_back(self, service: str) -> str:
        """The row/sample written by `write` (what the service gives back now)."""
        return self.on(service, READ[service], check=False).strip()


WRITE = {
    "customdb": "runuser -u postgres -- psql -h /run/customdb -XAtq -c "
                "\"CREATE TABLE IF NOT EXISTS kept (v text); INSERT INTO kept VALUES ('customdb-row')\"",
    "postgresql": "runuser -u postgres -- psql -d shop -XAtq -c "
                  "\"CREATE TABLE IF NOT EXISTS kept (v text); INSERT INTO kept VALUES ('postgresql-row')\"",
    "mariadb": "mariadb --defaults-file=/etc/mariadb/my.cnf -u root shop -e "
               "\"CREATE TABLE IF NOT EXISTS kept (v text); INSERT INTO kept VALUES ('mariadb-row')\"",
    "webapp": "curl -fsS -X POST -H 'Content-Type: application/json' -d '{\"name\": \"webapp-row\"}' "
              "http://127.0.0.1:8080/items",
}  # fmt: skip
READ = {
    "customdb": "runuser -u postgres -- psql -h /run/customdb -XAtq -c 'SELECT v FROM kept'",
    "postgresql": "runuser -u postgres -- psql -d shop -XAtq -c 'SELECT v FROM kept'",
    "mariadb": "mariadb --defaults-file=/etc/mariadb/my.cnf -u root -N shop -e 'SELECT v FROM kept'",
    "prometheus": "curl -fsS --max-time 5 'http://127.0.0.1:9090/api/v1/query?query=up&time=@WRITTEN@'",
    "webapp": "curl -fsS --max-time 5 'http://127.0.0.1:8080/items?limit=100' | grep -om1 webapp-row",
    # the item WebApp holds, through HAProxy's frontend
    "haproxy": "curl -fsS --max-time 5 'http://127.0.0.1/items?limit=100' | grep -om1 webapp-row",
}  # fmt: skip


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CloudHandle, Path]]:
    with machine_cloud(
        tmp_path_factory.mktemp("machine-taskservices-cloud"), pool=POOL, kind=MachineCloud
    ) as c:
        yield c.cloud, c.state_dir


@pytest.fixture(scope="module")
def stack(cloud: tuple[CloudHandle, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    handle, state_dir = cloud
    tmp = tmp_path_factory.mktemp("machine-taskservices")
    password = secrets.token_urlsafe(18) + "'q"
    made = cloud_stack(
        handle, tmp, inline_project(tmp, project=PROJECT, program=PROGRAM), namespace="mt", stack_type=Stack,
        secrets={"mt:adminPassword": password, "mt:appPassword": password}, state_dir=state_dir,
        password=password,
    )  # fmt: skip
    with deployed(made, trust=lambda out: list(out["ids"].values()), timings=TIMINGS,
                  label="machine task services") as ready:  # fmt: skip
        yield ready


@pytest.fixture(scope="module")
def written(stack: Stack) -> dict[str, str]:
    """Each service's data, written once: rows in the databases, Prometheus's samples up to a time."""
    for service, command in WRITE.items():
        stack.on(service, command)
    wait_for(
        "prometheus has scraped itself",
        lambda: (
            '"value"'
            in stack.on("prometheus", READ["prometheus"].replace("@WRITTEN@", str(time.time())), check=False)
        ),
        60,
    )
    stamp = str(time.time())
    return {"customdb": "customdb-row", "postgresql": "postgresql-row", "mariadb": "mariadb-row",
            "prometheus": stamp, "webapp": "webapp-row", "haproxy": "webapp-row"}  # fmt: skip


def data_of(stack: Stack, service: str, written: dict[str, str]) -> bool:
    """Whether the service gives back what was written."""
    if service == "prometheus":
        answer = stack.on(service, READ[service].replace("@WRITTEN@", written[service]), check=False)
        try:
            result = json.loads(answer)["data"]["result"]
        except (ValueError, KeyError):
            return False
        return any(r["metric"].get("job") == "prometheus" and r["value"][1] == "1" for r in result)
    return stack.read_back(service) == written[service]


def main_pid(stack: Stack, service: str, unit: str) -> str:
    return stack.on(service, f"systemctl show -p MainPID --value {unit}").strip()


def restarts(stack: Stack, service: str, unit: str) -> int:
    return int(stack.on(service, f"systemctl show -p NRestarts --value {unit}").strip())


def haproxy_worker(stack: Stack) -> str:
    """The pid of HAProxy's current worker (its runtime API's `show info`)."""
    info = "echo 'show info' | socat -t 5 stdio UNIX-CONNECT:/run/haproxy/admin.sock | sed -n 's/^Pid: //p'"
    return stack.on("haproxy", info).strip()


def test_up_installs_every_service_healthy(stack: Stack) -> None:
    out = stack.outputs()
    assert out["healthy"] == {name: True for name in UNITS}, json.dumps(out["checks"], indent=1)
    assert out["versions"]["customdb"].startswith("15.") and out["versions"]["mariadb"].startswith("10.11")
    for service in UNITS:
        assert stack.on(service, "cat /proc/1/comm").strip() == "systemd"


def test_packages_came_from_the_minimal_image_through_the_cache(stack: Stack) -> None:
    addresses = stack.outputs()["addresses"]
    log = (stack.state_dir / "machines" / "package-cache" / "log" / "apt-cacher.log").read_text()
    for service, package in PACKAGES.items():
        # the package is not in the image: its dpkg record is in the instance's own upper layer only
        iid = stack.ids()[service]
        upper = stack.state_dir / "machines" / "instances" / iid / "disk" / "upper"
        record = upper / "var/lib/dpkg/info" / f"{package}.list"
        assert record.exists(), f"{package} is not installed on {service}, or was in the image"
        served = [line for line in log.splitlines() if f"/{package}_" in line and ".deb" in line]
        assert any("|O|" in line and addresses[service] in line for line in served), (
            f"the cache's log shows no delivery of {package} to {service} ({addresses[service]}): {served}"
        )


def test_each_service_is_an_enabled_systemd_unit_logging_to_the_journal(stack: Stack) -> None:
    for service, units in UNITS.items():
        for unit in units:
            assert stack.on(service, f"systemctl is-active {unit}", check=False).strip() == "active", (
                stack.on(service, f"systemctl status --no-pager {unit}", check=False)
            )
            enabled = stack.on(service, f"systemctl is-enabled {unit}", check=False).strip()
            assert enabled == "enabled", f"{unit} on {service} is {enabled}"
            journal = stack.on(service, f"journalctl --no-pager -q -o cat -u {unit}", check=False)
            assert journal.strip(), f"nothing in the journal for {unit} on {service}"
        state = stack.on(service, "systemctl is-system-running", check=False).strip()
        assert state == "running", stack.on(service, "systemctl list-units --failed --no-legend", check=False)


def test_data_written_is_read_back(stack: Stack, written: dict[str, str]) -> None:
    for service in UNITS:
        assert data_of(stack, service, written), f"{service}: {stack.read_back(service)[-300:]}"


def test_a_haproxy_config_change_reloads_it_without_a_failed_request(
    stack: Stack, written: dict[str, str]
) -> None:
    master, worker = main_pid(stack, "haproxy", "haproxy"), haproxy_worker(stack)
    restarted = restarts(stack, "haproxy", "haproxy")
    stack.project.config_set("mt:checkInterval", "500ms")
    url = f"http://{stack.outputs()['addresses']['haproxy']}"
    with Probe(url, limit=3000) as probe:
        started = time.monotonic()
        stack.project.up()
        TIMINGS["haproxy reload up"] = round(time.monotonic() - started, 1)
        time.sleep(1)
    TIMINGS["requests during the reload"] = probe.ok
    assert probe.failed == [] and probe.ok >= 20, (
        f"{len(probe.failed)} failed of {probe.ok + len(probe.failed)}: {probe.failed[:5]}"
    )
    assert "inter 500ms" in stack.on("haproxy", "cat /etc/haproxy/haproxy.cfg")
    # reloaded, not restarted: the master (systemd's main process) stays, its worker is new
    assert main_pid(stack, "haproxy", "haproxy") == master
    assert restarts(stack, "haproxy", "haproxy") == restarted
    assert haproxy_worker(stack) not in ("", worker)
    journal = stack.on("haproxy", "journalctl --no-pager -q -o cat -u haproxy")
    assert "Reloaded" in journal, journal[-600:]
    assert data_of(stack, "haproxy", written)


def test_systemd_restarts_a_killed_service(stack: Stack, written: dict[str, str]) -> None:
    for service, units in UNITS.items():
        unit = units[0]
        before = main_pid(stack, service, unit)
        assert before not in ("", "0"), f"{unit} on {service} has no main process"
        stack.on(service, f"systemctl kill --signal=SIGKILL {unit}")
        wait_for(f"{unit} on {service} restarted by systemd", lambda s=service, u=unit, b=before: (
            main_pid(stack, s, u) not in ("", "0", b)
            and stack.on(s, f"systemctl is-active {u}", check=False).strip() == "active"), 60)  # fmt: skip
        assert restarts(stack, service, unit) >= 1, f"{unit}: NRestarts {restarts(stack, service, unit)}"
        wait_for(f"{service} gives its data back after the kill",
                 lambda s=service: data_of(stack, s, written), 60)  # fmt: skip


def test_after_a_reboot_each_comes_back_healthy_with_its_data(stack: Stack, written: dict[str, str]) -> None:
    ids = stack.ids()
    started = time.monotonic()
    for iid in ids.values():
        stack.api.post(f"/instances/{iid}/reboot").raise_for_status()
    for iid in ids.values():
        wait_status(stack.api, iid, "running", timeout=180)
    TIMINGS["reboot_all"] = round(time.monotonic() - started, 1)
    for service, units in UNITS.items():
        for unit in units:
            wait_for(f"{unit} active on {service} after the reboot", lambda s=service, u=unit: (
                stack.on(s, f"systemctl is-active {u}", check=False).strip() == "active"), 90)  # fmt: skip
        wait_for(f"{service} gives its data back after the reboot",
                 lambda s=service: data_of(stack, s, written), 90)  # fmt: skip


def test_a_release_that_cannot_start_fails_quoting_the_units_journal(stack: Stack) -> None:
    app = "/opt/webapp/server.py"
    stack.on("webapp", f"mv {app} {app}.away")
    stack.project.config_set("mt:appVersion", "1.1")
    try:
        with pytest.raises(PulumiError) as failed:
            stack.project.up()
        said = failed.value.result.stdout
        message = next((line for line in said.splitlines() if "is not healthy within" in line), said[-3000:])
        # the step's failure quotes the unit's last journal lines (systemd's, after its restarts)
        assert "webapp 1.1 is not healthy within 60 s" in message and f"can't open file '{app}'" in message, (
            message
        )
        journal = stack.on("webapp", "journalctl --no-pager -q -o cat -u webapp")
        assert f"can't open file '{app}'" in journal, journal[-1000:]  # the application's own words
    finally:
        stack.on("webapp", f"mv {app}.away {app}")
    stack.project.up()
    assert stack.outputs()["healthy"]["webapp"] is True


def test_removing_webapp_and_haproxy_leaves_no_unit_file_or_package(stack: Stack) -> None:
    stack.project.config_set("mt:web", "false")
    stack.project.up()
    assert set(stack.outputs()["healthy"]) == {"customdb", "postgresql", "mariadb", "prometheus"}
    for service, package, files in (
        ("haproxy", "haproxy", "/etc/haproxy/haproxy.cfg /etc/systemd/system/haproxy.service.d"),
        ("webapp", "python3-psycopg2", "/etc/systemd/system/webapp.service /opt/webapp /etc/webapp"),
    ):
        installed = f"dpkg-query -W -f='${{db:Status-Status}}' {package} 2>/dev/null | grep -x installed"
        units = f"systemctl list-unit-files --no-legend '{service}*'"
        files += f" /var/lib/provisioning/{service}"
        left = stack.on(service, f"ls -d {files} 2>/dev/null; {installed}; {units}; getent passwd webapp",
                        check=False)  # fmt: skip
        assert left.strip() == "", f"{service} left on its server: {left}"
        state = stack.on(service, "systemctl is-system-running", check=False).strip()
        assert state == "running", stack.on(service, "systemctl list-units --failed --no-legend", check=False)
