"""A Pulumi project of examples/database on a local Custom Cloud with machine hosts, for the task service e2e
tests: its outputs, SSH to its servers (host keys checked against the API's fingerprints) and a PostgreSQL
client (`psql`) connecting over TLS with the certificate read from the server. Secrets never reach a
message."""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.support.cloud import CloudDidNotStart, CloudHandle, start_cloud, stop_cloud
from tests.support.pulumi_cli import REPO_ROOT

from .cloud_stacks import (
    CloudStack,
    cloud_stack,
    command_ops,
    deployed,
    inline_project,
    planned_changes,
    secret_from_stdin,
)
from .host_services import require_machine_hosts

__all__ = [
    "DatabaseStack",
    "database_cloud",
    "database_stack",
    "deployed_database",
    "deployed_database_fixture",
    "deployed_program",
    "e2e_cloud",
    "pools_from",
    "secret_from_stdin",
]

S = TypeVar("S", bound=CloudStack)

EXAMPLE = REPO_ROOT / "examples" / "database"
CERT = "/etc/customdb/ssl/server.crt"


@dataclass
class DatabaseStack(CloudStack):
    """One stack of examples/database: a cloud stack with the admin password (never printed)."""

    password: str = field(repr=False)

    def settings(self, settings: dict[str, Any]) -> None:
        """The CustomDatabase fields the program passes (`database:settings`)."""
        self.project.config_set("database:settings", json.dumps(settings))

    def certificate(self, iid: str) -> Path:
        """The server's self-signed certificate, copied here (what clients verify against)."""
        path = self.tmp / f"{iid}.crt"
        path.write_text(self.sh(iid, f"cat {CERT}"))
        return path

    def psql(
        self, address: str, sql: str, *, root_cert: Path | None = None, sslmode: str = "verify-full",
        database: str = "postgres", user: str = "postgres", check: bool = True,
    ) -> subprocess.CompletedProcess[str]:  # fmt: skip
        """`psql` on this machine to `address:5432` as `user` (the password from the environment)."""
        env = {**os.environ, "PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "5"}
        if root_cert is not None:
            env["PGSSLROOTCERT"] = str(root_cert)
        conninfo = f"host={address} port=5432 dbname={database} user={user} sslmode={sslmode}"
        done = subprocess.run(["psql", conninfo, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], env=env,
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        if check:
            assert done.returncode == 0, (
                f"psql {address} {sql!r}: exit {done.returncode}: {done.stderr[-600:]}"
            )
        return done

    def timed_up(self) -> tuple[subprocess.CompletedProcess[str], float]:
        started = time.monotonic()
        done = self.project.up()
        return done, time.monotonic() - started

    def command_ops(self, preview: dict[str, Any]) -> dict[str, str]:
        """The operation (`update`, `create`, `same`, …) of each step command a `pulumi preview --json`
        lists."""
        return command_ops(preview)

    def planned(self, preview: dict[str, Any]) -> list[str]:
        """`planned_changes` as the preview knows it; [] when the plan resource stays the same."""
        return planned_changes(preview, "db-plan")


def pools_from(first: str, count: int = 16) -> list[str]:
    """`first` (a /24) and the `count - 1` /24s after it: public pools for a cloud to take the first free
    of, so that concurrent test runs each get their own."""
    network = ipaddress.IPv4Network(first)
    return [str(ipaddress.IPv4Network((network.network_address + 256 * n, 24))) for n in range(count)]


MACHINE_POOLS = pools_from("100.97.0.0/24")
"""The public pools a machine-host `database_cloud` takes, the first no other running cloud claims (claimed
for its life; `.1`: the package cache)."""


def e2e_image() -> str:
    """The image of the e2e clouds' machines: `PROVISIONING_MACHINE_IMAGE`, else the one with the task
    services' packages."""
    from provisioning.emulator.hosts.machine import taskservices_image

    return os.environ.get("PROVISIONING_MACHINE_IMAGE") or str(taskservices_image())


@contextmanager
def e2e_cloud(state_dir: Path, *, public_pools: Sequence[str] = ()) -> Iterator[CloudHandle]:
    """A local Custom Cloud on machine hosts (the image `e2e_image` names) whose state lives in `state_dir`
    (made here), its public addresses from the first of `public_pools` (each in 100.64.0.0/10) that no other
    running cloud claims (none given: the first free default one); stopped at the end."""
    require_machine_hosts(e2e_image())
    state_dir.mkdir(parents=True, exist_ok=True)
    candidates: list[str | None] = [*public_pools] or [None]
    for pool in candidates:
        try:
            cloud = start_cloud(
                state_dir / "custom-cloud.db",
                hosts="machine",
                lifecycle="immediate",
                public_pool=pool,
                timeout=60,
                machine_image=e2e_image(),
            )
            break
        except CloudDidNotStart as exc:
            if "is in use by another local Custom Cloud" not in exc.output or pool == candidates[-1]:
                raise
    try:
        yield cloud
    finally:
        stop_cloud(cloud.process)


@contextmanager
def database_cloud(tmp: Path) -> Iterator[CloudHandle]:
    """A local Custom Cloud on machine hosts in `tmp/cloud`, stopped at the end."""
    with e2e_cloud(tmp / "cloud", public_pools=MACHINE_POOLS) as cloud:
        yield cloud


def database_stack(
    cloud: CloudHandle, tmp: Path, *, cidr: str, settings: dict[str, Any], name: str = "proj"
) -> DatabaseStack:
    """A copy of examples/database configured for `cloud` (not deployed yet)."""
    password = secrets.token_urlsafe(18) + "'q:1"  # a quote and a colon: quoting and pgpass escaping
    stack = cloud_stack(
        cloud, tmp, EXAMPLE, namespace="database", stack_type=DatabaseStack, name=name,
        secrets={"database:adminPassword": password}, password=password,
    )  # fmt: skip
    stack.project.config_set("database:cidr", cidr)
    stack.settings(settings)
    return stack


@contextmanager
def deployed_database(
    tmp: Path, *, cidr: str, settings: dict[str, Any], timings: dict[str, float], label: str
) -> Iterator[DatabaseStack]:
    """examples/database deployed on a local cloud (its primary's host key trusted), destroyed at the end;
    the first `up`'s time lands in `timings["up"]`, the destroy's in `timings["destroy"]`, and all of
    `timings` is printed as `label`."""
    with database_cloud(tmp) as cloud:
        made = database_stack(cloud, tmp, cidr=cidr, settings=settings)
        with deployed(made, trust=lambda out: [out["primary_id"]], timings=timings, label=label) as ready:
            yield ready


def deployed_database_fixture(
    folder: str, *, cidr: str, settings: dict[str, Any], timings: dict[str, float], label: str
) -> Any:
    """A module-scoped fixture `stack`: examples/database deployed as `deployed_database` does, in a fresh
    temporary folder named after `folder`."""

    @pytest.fixture(scope="module")
    def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseStack]:
        tmp = tmp_path_factory.mktemp(folder)
        with deployed_database(tmp, cidr=cidr, settings=settings, timings=timings, label=label) as made:
            yield made

    return stack


@contextmanager
def deployed_program(
    tmp: Path, *, project: str, program: str, namespace: str, stack_type: type[S],
    trust: Callable[[dict[str, Any]], Iterable[str]], timings: dict[str, float], label: str, up: str = "up",
    after_destroy: Callable[[S], None] | None = None, secrets: Mapping[str, str] | None = None, **fields: Any,
) -> Iterator[S]:  # fmt: skip
    """The project `project` running `program` (written in `tmp`) on a local cloud with machine hosts,
    configured as `cloud_stack` does (`namespace`, `secrets`, `stack_type` with its `fields`) and deployed as
    `deployed` does (`trust`, `timings`, `label`, `up`, `after_destroy`); destroyed, and the cloud stopped,
    at the end."""
    with database_cloud(tmp) as cloud:
        source = inline_project(tmp, project=project, program=program)
        made = cloud_stack(cloud, tmp, source, namespace=namespace, stack_type=stack_type, secrets=secrets,
                           **fields)  # fmt: skip
        with deployed(
            made, trust=trust, timings=timings, label=label, up=up, after_destroy=after_destroy
        ) as ready:
            yield ready
