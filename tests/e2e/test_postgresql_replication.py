"""PostgreSQL with a streaming standby, its metrics exporter and backups, watched by Prometheus with alert
rules, on the real Pulumi engine against machine hosts: the primary and the replica are healthy (the replica
streaming, the primary seeing it); a row written on the primary through psql from this machine is read on
the replica, which refuses writes; each exporter answers `pg_up 1`; a backup run on the primary produces a
dump that pg_restore reads; Prometheus lists the alert rules (`/api/v1/rules`) and scrapes the exporter;
no password is in the state in plaintext; an unchanged program plans nothing, and a backup schedule change
plans and reruns only the primary's configure and the health steps (the standby's other steps stay)."""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from .cloud_stacks import command_ops, planned_changes, wait_for
from .program_parts import servers_on_one_subnet
from .taskservice_support import DatabaseStack, deployed_program

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

TIMINGS: dict[str, float] = {}

PROJECT = """\
name: pgrepl
description: PostgreSQL with a streaming standby, backups and an exporter, watched by Prometheus.
runtime: python
config:
  custom-cloud:region:
    value: us-west-1
"""

PROGRAM = (
    '''\
"""PostgreSQL on pg-primary with a streaming standby on pg-replica, backups and exporters; Prometheus on
pg-primary scrapes its exporter and carries two alert rules."""

import pulumi

from provisioning.components.taskservs.postgresql import PostgreSQL
from provisioning.components.taskservs.prometheus import Prometheus
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.taskservice import Target

'''
    + servers_on_one_subnet("pgrepl", "10.65")
    + """

primary, replica = server("pg-primary"), server("pg-replica")
pg = PostgreSQL(
    "pg",
    {"users": [{"name": "app"}], "databases": [{"name": "shop", "owner": "app"}],
     "replication": {"enabled": True, "replicas": 1},
     "backup": {"enabled": True, "schedule": config.get("backupSchedule") or "30 3 * * *",
                "retention_days": 3},
     "monitoring": {"enabled": True}},
    target=Target.server(primary, private_key),
    passwords={"app": config.require_secret("appPassword")},
    replicas=[Target.server(replica, private_key)],
    replication_password=config.require_secret("replicationPassword"),
)
monitor = Prometheus(
    "mon",
    {"scrape_interval": "2s", "retention": "1d",
     "scrape_targets": [{"job": "postgres", "targets": ["127.0.0.1:9187"]}],
     "alert_rules": [
         {"alert": "TargetDown", "expr": "up == 0", "for_": "1m", "severity": "critical",
          "summary": "{{ $labels.job }} target {{ $labels.instance }} is down"},
         {"alert": "AppHighCpu", "expr": 'rate(process_cpu_seconds_total{job="app"}[1m]) * 100 > 70',
          "for_": "2m", "summary": "app CPU over 70%"},
     ]},
    target=Target.server(primary, private_key),
    opts=pulumi.ResourceOptions(depends_on=[pg]),
)
pulumi.export("endpoint", pg.endpoint)
pulumi.export("replica_endpoints", pg.replica_endpoints)
pulumi.export("healthy", pg.healthy)
pulumi.export("checks", pg.checks)
pulumi.export("version", pg.version)
pulumi.export("metadata", pg.service_metadata)
pulumi.export("planned_changes", pg.planned_changes)
pulumi.export("mon_healthy", monitor.healthy)
pulumi.export("mon_endpoint", monitor.endpoint)
pulumi.export("ids", [primary.id, replica.id])
pulumi.export("addresses", [primary.private_ip, replica.private_ip])
"""
)


@dataclass
class Stack(DatabaseStack):
    """The deployed program, with the app's password (`password`) and the replication password (never
    printed)."""

    replication_password: str = field(repr=False)

    def app_psql(self, address: str, sql: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`psql` on this machine to `address:5432`, database shop, as app (its password from the
        environment)."""
        return self.psql(address, sql, sslmode="prefer", database="shop", user="app", check=check)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("pg-replication")
    password = secrets.token_urlsafe(12) + "'q x"
    replication = secrets.token_urlsafe(12) + "'r:\\1"  # a quote, a colon, a backslash: pgpass escaping
    with deployed_program(
        tmp, project=PROJECT, program=PROGRAM, namespace="pgrepl", stack_type=Stack, password=password,
        replication_password=replication,
        secrets={"pgrepl:appPassword": password, "pgrepl:replicationPassword": replication},
        trust=lambda out: out["ids"], timings=TIMINGS, label="postgresql replication",
    ) as ready:  # fmt: skip
        yield ready


def test_primary_and_replica_are_healthy_and_streaming(stack: Stack) -> None:
    out = stack.outputs()
    primary, replica = out["addresses"]
    assert out["healthy"] is True, out["checks"]
    assert out["endpoint"] == f"{primary}:5432" and out["replica_endpoints"] == [f"{replica}:5432"]
    assert out["version"].startswith("15.")
    checks = {c["name"]: c for c in out["checks"]}
    assert list(checks) == [
        "service", "select", "exporter", "backup",
        "replica-0:service", "replica-0:select", "replica-0:streaming", "replica-0:exporter",
        "standbys:streaming",
    ]  # fmt: skip
    assert checks["replica-0:streaming"]["message"] == f"standby of {primary}:5432, streaming"
    assert checks["standbys:streaming"]["message"].startswith("1 standby(s) streaming: pg_replica_0 from ")
    assert out["metadata"]["ports"] == [5432, 9187]
    assert "prometheus-postgres-exporter" in out["metadata"]["dependencies"]


def test_a_row_written_on_the_primary_is_read_on_the_replica(stack: Stack) -> None:
    primary, replica = stack.outputs()["addresses"]
    token = secrets.token_hex(8)
    stack.app_psql(primary, "CREATE TABLE IF NOT EXISTS visits (id serial PRIMARY KEY, token text)")
    stack.app_psql(primary, f"INSERT INTO visits (token) VALUES ('{token}')")

    def seen() -> bool:
        done = stack.app_psql(replica, f"SELECT count(*) FROM visits WHERE token = '{token}'", check=False)
        return done.stdout.strip() == "1"

    started = time.monotonic()
    wait_for("the row on the replica", seen)
    TIMINGS["row on the replica"] = round(time.monotonic() - started, 2)
    refused = stack.app_psql(replica, "INSERT INTO visits (token) VALUES ('no')", check=False)
    assert refused.returncode != 0 and "read-only transaction" in refused.stderr


def test_each_exporter_answers_pg_up_1(stack: Stack) -> None:
    for address in stack.outputs()["addresses"]:
        metrics = httpx.get(f"http://{address}:9187/metrics", timeout=10).text
        assert "\npg_up 1\n" in metrics, f"{address}: no pg_up 1"


def test_a_backup_run_produces_a_dump(stack: Stack) -> None:
    primary_id = stack.outputs()["ids"][0]
    stack.app_psql(stack.outputs()["addresses"][0], "CREATE TABLE IF NOT EXISTS backed (x int)")
    out = stack.sh(primary_id, "/usr/local/sbin/postgresql-backup manual")
    dumps = [line.split(": ", 1)[1] for line in out.splitlines() if line.endswith("-shop.dump")]
    assert len(dumps) == 1 and dumps[0].startswith("/var/backups/postgresql/postgresql-manual-"), out
    listing = stack.sh(primary_id, f"pg_restore --list {dumps[0]}")
    assert "TABLE public backed app" in listing
    files = stack.sh(primary_id, "ls /var/backups/postgresql").split()
    assert any(name.endswith("-globals.sql") for name in files)
    assert "30 3 * * * root /usr/local/sbin/postgresql-backup" in stack.sh(
        primary_id, "cat /etc/cron.d/postgresql-backup"
    )


def test_prometheus_lists_the_alert_rules_and_scrapes_the_exporter(stack: Stack) -> None:
    out = stack.outputs()
    assert out["mon_healthy"] is True
    base = f"http://{out['mon_endpoint']}"
    groups = httpx.get(f"{base}/api/v1/rules", timeout=10).json()["data"]["groups"]
    rules = {rule["name"]: rule for group in groups for rule in group["rules"]}
    assert sorted(rules) == ["AppHighCpu", "TargetDown"]
    assert rules["TargetDown"]["query"] == "up == 0" and rules["TargetDown"]["duration"] == 60
    assert rules["TargetDown"]["labels"] == {"severity": "critical"}
    assert rules["AppHighCpu"]["query"] == 'rate(process_cpu_seconds_total{job="app"}[1m]) * 100 > 70'

    def postgres_up() -> bool:
        found = httpx.get(f"{base}/api/v1/query", params={"query": 'pg_up{job="postgres"}'}, timeout=10)
        result = found.json()["data"]["result"]
        return bool(result) and result[0]["value"][1] == "1"

    wait_for("pg_up from the postgres job in Prometheus", postgres_up)


def test_no_password_in_the_state(stack: Stack) -> None:
    state = json.dumps(stack.project.state())
    for secret in (stack.password, stack.replication_password):
        for form in (secret, json.dumps(secret)[1:-1], base64.b64encode(secret.encode()).decode()):
            assert form not in state


def test_an_unchanged_program_plans_nothing(stack: Stack) -> None:
    preview = stack.project.preview_json()
    assert command_ops(preview, changed=True) == {} and planned_changes(preview, "pg-plan") == []


def test_a_backup_schedule_change_reruns_only_the_primarys_configure_and_the_checks(stack: Stack) -> None:
    stack.project.config_set("pgrepl:backupSchedule", "45 4 * * *")
    preview = stack.project.preview_json()
    assert command_ops(preview, changed=True) == {
        name: "update" for name in ("pg-configure", "pg-health", "pg-replica-0-health", "pg-standbys-health")
    }
    assert planned_changes(preview, "pg-plan") == ["configure"]
    started = time.monotonic()
    stack.project.up()
    TIMINGS["schedule change up"] = round(time.monotonic() - started, 1)
    out = stack.outputs()
    assert out["healthy"] is True and out["planned_changes"] == []
    cron = stack.sh(out["ids"][0], "cat /etc/cron.d/postgresql-backup")
    assert "45 4 * * * root /usr/local/sbin/postgresql-backup scheduled" in cron
    assert stack.sh_rc(out["ids"][1], "test -e /etc/cron.d/postgresql-backup") == 1  # backups: the primary
