"""On the real engine against machine hosts. `provisioning status`: a stack of examples/database shows its
CustomDatabase healthy (the health step run again, now, over SSH); with the service `customdb` stopped on
the host it shows it unhealthy, naming the failing check, and exits non-zero; no secret in its output.
PostgreSQL: the stock Debian cluster installed over SSH answers `SELECT 1` through psql from this machine,
as the user and in the database it created, and `provisioning status` sees it healthy."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.pulumi_cli import PulumiProject

from . import host_services
from .ssh import keypair
from .taskservice_support import (
    DatabaseStack,
    database_cloud,
    deployed_database_fixture,
    secret_from_stdin,
)

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

SETTINGS = {"monitoring": {"enabled": False}, "backup": {"enabled": False}}
TIMINGS: dict[str, float] = {}


stack = deployed_database_fixture(
    "status", cidr="10.46.0.0/16", settings=SETTINGS, timings=TIMINGS, label="status"
)


def status(stack: DatabaseStack, *extra: str) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "provisioning.cli", "status", stack.project.stack,
         "--cwd", str(stack.project.workdir), *extra],
        env=stack.project._environment(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    TIMINGS[f"status {len(TIMINGS)}"] = round(time.monotonic() - started, 2)
    for secret in (stack.password, stack.private_key.strip(), stack.cloud.api_key):
        assert secret not in done.stdout + done.stderr
    return done


def service(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    found = json.loads(done.stdout)["services"]
    assert [s["service"] for s in found] == ["db"], done.stdout
    return dict(found[0])


def test_status_shows_the_database_healthy_then_the_failing_check(stack: DatabaseStack) -> None:
    primary = str(stack.outputs()["primary_id"])
    done = status(stack)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["service", "server", "status", "healthy", "failing", "check"]
    assert lines[2].split()[:4] == ["db", "db-primary", "running", "yes"]
    healthy = service(status(stack, "--json"))
    assert healthy["healthy"] is True and healthy["status"] == "running"
    assert [c["name"] for c in healthy["checks"]] == ["service", "connect"]

    stack.sh(primary, host_services.stop("customdb"))
    try:
        done = status(stack)
        assert done.returncode == 1, done.stdout + done.stderr
        row = done.stdout.splitlines()[2]
        assert row.split()[:4] == ["db", "db-primary", "unhealthy", "no"]
        assert "service: customdb is not running" in row
        broken = service(status(stack, "--json"))
        assert (broken["healthy"], broken["failing"]) == (False, "service")
        assert {c["name"]: c["status"] for c in broken["checks"]} == {"service": "fail", "connect": "fail"}
    finally:
        stack.sh(primary, host_services.start("customdb"))


PROGRAM = """
import pulumi

from provisioning.components.taskservs.postgresql import PostgreSQL
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.taskservice import Target

config = pulumi.Config("pg")
network = Network("pg-net", cidr="10.47.0.0/16")
subnet = Subnet("pg-subnet", network_id=network.id, cidr="10.47.0.0/24", zone="us-west-1a")
server = Server("pg-server", machine_type="small", zone="us-west-1a", vpc=network.id, subnet=subnet.id,
                ssh_public_key=config.require("sshPublicKey"), external_ip=False)
pg = PostgreSQL(
    "pg",
    {"max_connections": 50, "users": [{"name": "app"}], "databases": [{"name": "shop", "owner": "app"}]},
    target=Target.server(server, config.require_secret("sshPrivateKey")),
    passwords={"app": config.require_secret("appPassword")},
)
pulumi.export("endpoint", pg.endpoint)
pulumi.export("healthy", pg.healthy)
pulumi.export("version", pg.version)
pulumi.export("checks", pg.checks)
pulumi.export("server_id", server.id)
pulumi.export("address", server.private_ip)
"""


def test_postgresql_installs_and_answers_select_1_from_this_machine(tmp_path: Path) -> None:
    """The stock Debian cluster, installed over SSH: healthy, `SELECT 1` through psql from here as the
    created user into the created database; the password is nowhere in the state in plaintext."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "Pulumi.yaml").write_text("name: pg\nruntime: python\n")
    (source / "__main__.py").write_text(PROGRAM)
    with database_cloud(tmp_path) as cloud:
        key, public = keypair(tmp_path)
        project = PulumiProject.copy_of(
            source, tmp_path / "proj", PROVISIONING_LOG_DIR=str(tmp_path / "logs")
        )
        project.config_set("custom-cloud:apiUrl", cloud.url)
        project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
        project.config_set("custom-cloud:region", "us-west-1")
        project.config_set("pg:sshPublicKey", public)
        password = secrets.token_urlsafe(12) + "'q x"
        secret_from_stdin(project, "pg:sshPrivateKey", key.read_text())
        secret_from_stdin(project, "pg:appPassword", password)
        try:
            started = time.monotonic()
            project.up()
            TIMINGS["postgresql up"] = round(time.monotonic() - started, 2)
            out = project.outputs()
            assert out["healthy"] is True and out["endpoint"] == f"{out['address']}:5432"
            assert out["version"].startswith("15.")
            assert [c["name"] for c in out["checks"]] == ["service", "select"]
            env = {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"}
            conninfo = f"host={out['address']} port=5432 dbname=shop user=app sslmode=prefer"
            query = "SELECT 1, current_user, current_database()"
            done = subprocess.run(["psql", conninfo, "-XAtq", "-c", query], env=env, capture_output=True,
                                  text=True, timeout=60, check=False)  # fmt: skip
            assert done.returncode == 0, done.stderr[-600:]
            assert done.stdout.strip() == "1|app|shop"
            state = json.dumps(project.state())
            assert password not in state and base64.b64encode(password.encode()).decode() not in state
        finally:
            project.destroy()
            print(f"\npostgresql e2e timings (s): {json.dumps(TIMINGS)}")
