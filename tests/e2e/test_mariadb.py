"""MariaDB on the real Pulumi engine against machine hosts: a primary and one read-only replica from the
OS packages. From this machine, the `app` user logs in with its password over the network; a row written
on the primary is read on the replica, which refuses writes; both exporters answer `mysql_up 1`; the
backup script writes a dump; no password is in the state in plaintext. Removing MariaDB from the program
runs its remove steps (services, files and data leave both servers), and `destroy` leaves nothing on the
Custom Cloud."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.support.tools import require_tool

from . import host_services
from .cloud_stacks import CloudStack, command_ops, wait_for
from .program_parts import servers_on_one_subnet
from .taskservice_support import deployed_program

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

TIMINGS: dict[str, float] = {}

PROJECT = """\
name: mariadb-e2e
description: MariaDB, a primary and a read-only replica.
runtime: python
config:
  custom-cloud:region:
    value: us-west-1
"""

PROGRAM = (
    '''\
"""A MariaDB primary and one read-only replica on two servers."""

import pulumi

from provisioning.components.taskservs.mariadb import MariaDB
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.taskservice import Target

'''
    + servers_on_one_subnet("mdb", "10.60")
    + """

servers = [server(name) for name in ("mdb-primary", "mdb-replica")]
if config.get_bool("install") is not False:
    db = MariaDB(
        "mdb",
        {"max_connections": config.get_int("maxConnections") or 50,
         "users": [{"name": "app"}], "databases": [{"name": "shop", "owner": "app"}],
         "replication": {"enabled": True}, "monitoring": {"enabled": True},
         "backup": {"enabled": True, "retention_days": 3}},
        target=Target.server(servers[0], private_key),
        replicas=[Target.server(servers[1], private_key)],
        passwords={"app": config.require_secret("appPassword")},
        replication_password=config.require_secret("replicationPassword"),
    )
    pulumi.export("endpoint", db.endpoint)
    pulumi.export("replica_endpoints", db.replica_endpoints)
    pulumi.export("healthy", db.healthy)
    pulumi.export("version", db.version)
    pulumi.export("checks", db.checks)
    pulumi.export("metadata", db.service_metadata)
    pulumi.export("planned_changes", db.planned_changes)
pulumi.export("ids", [server.id for server in servers])
pulumi.export("addresses", [server.private_ip for server in servers])
"""
)


@dataclass
class Stack(CloudStack):
    """The deployed program, with the app's and the replication passwords (never printed)."""

    password: str = field(repr=False)
    replication_password: str = field(repr=False)

    def sql(self, address: str, sql: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """The `mariadb` client on this machine, as `app` into `shop` on `address:3306` (password from
        the environment, never on the command line)."""
        done = subprocess.run(
            [require_tool("mariadb", "mariadb-client"), "--no-defaults", "-h", address, "-P", "3306",
             "-u", "app", "--connect-timeout=5", "--batch", "--skip-column-names", "shop", "-e", sql],
            env={**os.environ, "MYSQL_PWD": self.password}, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
        if check:
            assert done.returncode == 0, (
                f"mariadb {address} {sql!r}: exit {done.returncode}: {done.stderr[-600:]}"
            )
        return done


def _nothing_left(stack: Stack) -> None:
    """`destroy` left no instance on the Custom Cloud."""
    assert stack.api.get("/instances").raise_for_status().json()["items"] == []


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("mariadb")
    password = secrets.token_urlsafe(12) + "'q\\\\x"  # a quote and backslashes: SQL quoting
    replication_password = secrets.token_urlsafe(18) + "'r"
    with deployed_program(
        tmp, project=PROJECT, program=PROGRAM, namespace="mdb", stack_type=Stack, password=password,
        replication_password=replication_password,
        secrets={"mdb:appPassword": password, "mdb:replicationPassword": replication_password},
        trust=lambda out: out["ids"], timings=TIMINGS, label="mariadb", after_destroy=_nothing_left,
    ) as ready:  # fmt: skip
        yield ready


def test_primary_and_replica_are_healthy(stack: Stack) -> None:
    out = stack.project.outputs()
    primary, replica = out["addresses"]
    assert out["healthy"] is True, out["checks"]
    assert out["endpoint"] == f"{primary}:3306" and out["replica_endpoints"] == [f"{replica}:3306"]
    assert out["version"].startswith("10.11.")
    assert [c["name"] for c in out["checks"]] == [
        "service", "connect", "exporter", "backup",
        "replica-0:service", "replica-0:connect", "replica-0:replication", "replica-0:exporter",
        "replica-0:backup",
    ]  # fmt: skip
    assert out["metadata"]["ports"] == [3306, 9104] and out["planned_changes"] == []
    # a second `up` has nothing to do
    preview = stack.project.preview_json()
    changed = {s["urn"].rsplit("::", 1)[-1]: s["op"] for s in preview["steps"] if s["op"] != "same"}
    assert changed == {}
    state = json.dumps(stack.project.state())
    for secret in (stack.password, stack.replication_password):
        assert secret not in state and base64.b64encode(secret.encode()).decode() not in state


def test_a_row_written_on_the_primary_is_read_on_the_read_only_replica(stack: Stack) -> None:
    primary, replica = stack.project.outputs()["addresses"]
    stack.sql(primary, "CREATE TABLE IF NOT EXISTS visits (id INT PRIMARY KEY, note VARCHAR(40))")
    marker = secrets.token_hex(6)
    stack.sql(primary, f"INSERT INTO visits VALUES (1, '{marker}')")
    assert stack.sql(primary, "SELECT CURRENT_USER(), DATABASE()").stdout.split() == ["app@%", "shop"]
    started = time.monotonic()
    found = wait_for(
        "the row on the replica",
        lambda: (
            stack.sql(replica, "SELECT note FROM visits WHERE id = 1", check=False).stdout.strip() == marker
        ),
    )
    TIMINGS["row on the replica"] = round(time.monotonic() - started, 2)
    assert found
    refused = stack.sql(replica, "INSERT INTO visits VALUES (2, 'no')", check=False)
    assert refused.returncode != 0 and "read-only" in refused.stderr
    wrong = subprocess.run(
        ["mariadb", "--no-defaults", "-h", primary, "-u", "app", "--connect-timeout=5", "-e", "SELECT 1"],
        env={**os.environ, "MYSQL_PWD": "not-the-password"}, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert wrong.returncode != 0 and "Access denied" in wrong.stderr


def test_the_exporters_answer_and_keep_their_credentials_private(stack: Stack) -> None:
    out = stack.project.outputs()
    for iid, address in zip(out["ids"], out["addresses"], strict=True):
        text = httpx.get(f"http://{address}:9104/metrics", timeout=10).text
        assert "\nmysql_up 1\n" in text
        mode = stack.sh(iid, "stat -c '%a %U' /etc/mariadb/exporter.cnf").strip()
        assert mode == "600 prometheus"
    replica_metrics = httpx.get(f"http://{out['addresses'][1]}:9104/metrics", timeout=10).text
    assert "mysql_slave_status_slave_io_running" in replica_metrics


def test_the_backup_script_writes_a_dump(stack: Stack) -> None:
    primary = stack.project.outputs()["ids"][0]
    printed = stack.sh(primary, "/usr/local/sbin/mariadb-backup-provisioning e2e")
    [path] = [line.split(": ", 1)[1] for line in printed.splitlines() if line.startswith("mariadb-backup: /")]
    assert path.startswith("/var/backups/mariadb/mariadb-e2e-") and path.endswith(".sql.gz")
    assert "CREATE TABLE `visits`" in stack.sh(primary, f"zcat {path}")
    assert "0 2 * * * root /usr/local/sbin/mariadb-backup-provisioning" in stack.sh(
        primary, "cat /etc/cron.d/mariadb-backup"
    )


def test_a_max_connections_change_reruns_only_configure_and_replication_goes_on(stack: Stack) -> None:
    project = stack.project
    project.config_set("mdb:maxConnections", "60")
    preview = project.preview_json()
    changed = command_ops(preview, changed=True)
    assert changed == {name: "update" for name in (
        "mdb-configure", "mdb-health", "mdb-replica-0-configure", "mdb-replica-0-health")}  # fmt: skip
    started = time.monotonic()
    project.up()
    TIMINGS["configure-only up"] = round(time.monotonic() - started, 1)
    out = project.outputs()
    assert out["healthy"] is True and out["planned_changes"] == []
    primary, replica = out["addresses"]
    assert stack.sql(replica, "SELECT @@max_connections").stdout.strip() == "60"
    stack.sql(primary, "INSERT INTO visits VALUES (3, 'after the restart')")
    wait_for(
        "the new row on the replica",
        lambda: (
            stack.sql(replica, "SELECT note FROM visits WHERE id = 3", check=False).stdout.strip()
            == "after the restart"
        ),
    )


def test_removing_mariadb_leaves_nothing_on_the_servers(stack: Stack) -> None:
    stack.project.config_set("mdb:install", "false")
    started = time.monotonic()
    stack.project.up()
    TIMINGS["remove"] = round(time.monotonic() - started, 1)
    out = stack.project.outputs()
    assert "healthy" not in out
    gone = (
        f"for s in mariadb mariadb-exporter; do ({host_services.running('$s')}) >/dev/null 2>&1 "
        "&& echo running $s; done; "
        "for p in /etc/systemd/system/mariadb.service /etc/systemd/system/mariadb-exporter.service "
        "/etc/mariadb "
        "/var/lib/mariadb /var/backups/mariadb /var/log/mariadb /etc/cron.d/mariadb-backup "
        "/usr/local/sbin/mariadb-backup-provisioning /var/lib/provisioning/mariadb /run/mariadb; do "
        "test -e $p && echo left $p; done; ss -Hltn 'sport = :3306' | grep -q . && echo listening; echo done"
    )
    for iid in out["ids"]:
        assert stack.sh(iid, gone).split() == ["done"]
