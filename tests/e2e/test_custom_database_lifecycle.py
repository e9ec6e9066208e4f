"""CustomDatabase's lifecycle on the real engine against a machine host: an install interrupted halfway
converges on the next `up`; removing the database with keep_data leaves its data folder and backups (and a
new install finds its cluster again); without keep_data nothing of the service is left on the host (the
instance's own disk layer holds the same files as before the install); destroy leaves nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cloud import stop_cloud
from tests.support.pulumi_cli import PulumiError

from . import host_services
from .host_services import instance_disk
from .kernel import leftovers
from .taskservice_support import DatabaseStack, database_cloud, database_stack

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

URN = "urn:pulumi:test::database::"
DATABASE = URN + "provisioning:taskservs:CustomDatabase::db"
SERVER_ONLY = [URN + f"pulumi-python:dynamic/custom-cloud:{kind}" for kind in
               ("Network::db-net", "Subnet::db-subnet", "Server::db-primary")]  # fmt: skip
SERVICE_PATHS = [
    "/etc/customdb", "/var/lib/customdb", "/var/log/customdb", "/var/backups/customdb",
    "/var/lib/provisioning/customdb", "/etc/cron.d/customdb-backup",
    "/usr/local/sbin/customdb-backup", "/run/customdb", "/etc/systemd/system/customdb.service",
    "/etc/systemd/system/customdb-exporter.service",
    "/etc/systemd/system/multi-user.target.wants/customdb.service",
    "/etc/systemd/system/multi-user.target.wants/customdb-exporter.service",
]  # fmt: skip
"""Every path of the service."""

SYSTEM_RECORDS = (
    "/var/lib/dpkg/", "/var/lib/apt/", "/var/cache/apt/", "/var/cache/debconf/", "/var/log/",
    "/etc/ld.so.cache", "/var/cache/ldconfig/", "/var/lib/ucf/", "/etc/passwd", "/etc/group", "/etc/shadow",
    "/etc/gshadow", "/var/lib/systemd/", "/etc/rc2.d/", "/etc/rc3.d/", "/etc/rc4.d/", "/etc/rc5.d/",
)  # fmt: skip
"""What the system itself writes when packages come and go (path prefixes)."""


class World:
    """The stack, its server, and the server's disk layer on this machine."""

    def __init__(self, stack: DatabaseStack, server: str, state_dir: Path) -> None:
        self.stack = stack
        self.server = server
        self.upper = instance_disk(state_dir, server)

    def files(self) -> set[str]:
        """Every file (not folder) the instance wrote to its disk, as paths inside it."""
        found = set()
        for root, _dirs, names in os.walk(self.upper):
            for name in names:
                found.add("/" + str((Path(root) / name).relative_to(self.upper)))
        return found

    def packages(self) -> set[str]:
        """The names of the packages installed on the instance."""
        listed = self.stack.sh(self.server, "dpkg-query -W -f='${db:Status-Status} ${Package}\\n'")
        return {line.split()[1] for line in listed.splitlines() if line.startswith("installed ")}

    def unowned(self, paths: set[str]) -> list[str]:
        """Those of `paths` that no installed package owns and that are not the system's own records (apt's
        and dpkg's databases, logs, the journal, the account files, where Debian keeps a package's system
        user after its purge)."""
        owned = set(self.stack.sh(self.server, "cat /var/lib/dpkg/info/*.list").splitlines())
        return sorted(p for p in paths if p not in owned and not p.startswith(SYSTEM_RECORDS))

    def present(self, paths: list[str]) -> list[str]:
        return [p for p in paths if self.stack.sh_rc(self.server, f"test -e {p}") == 0]

    def postgres_processes(self) -> str:
        return self.stack.sh(self.server, "ps -eo user=,args= | grep -E '^postgres ' || true").strip()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("custom-database-lifecycle")
    with database_cloud(tmp) as cloud:
        stack = database_stack(cloud, tmp, cidr="10.45.0.0/16", settings={})
        try:
            stack.project.up(*[arg for urn in SERVER_ONLY for arg in ("--target", urn)])
            server = stack.project.outputs().get("primary_id") or _server_id(stack)
            stack.trust(server)
            yield World(stack, server, tmp / "cloud")
        finally:
            try:
                stack.project.destroy()
                assert stack.api.get("/instances").raise_for_status().json()["items"] == []
            finally:
                stack.api.close()
                stop_cloud(cloud.process)
                left = leftovers(tmp / "cloud")
                assert left == {"netns": [], "links": [], "routes": [], "mounts": [], "processes": []}, left


def _server_id(stack: DatabaseStack) -> str:
    [server] = [r for r in stack.project.resources() if r["type"].endswith("custom-cloud:Server")]
    return str(server["id"])


def test_an_install_interrupted_halfway_converges(world: World) -> None:
    """The test hook: /etc/provisioning/fail-points/customdb.install.after-initdb makes the install step stop
    (once) after the cluster is initialised and before the service is defined."""
    stack, server = world.stack, world.server
    world.before_install = world.files()  # type: ignore[attr-defined]
    world.packages_before = world.packages()  # type: ignore[attr-defined]
    stack.sh(server, "mkdir -p /etc/provisioning/fail-points && "
                     "touch /etc/provisioning/fail-points/customdb.install.after-initdb")  # fmt: skip
    with pytest.raises(PulumiError, match="stopped at fail point customdb.install.after-initdb"):
        stack.project.up()
    assert stack.sh_rc(server, "test -f /var/lib/customdb/data/PG_VERSION") == 0  # halfway: initialised
    assert world.present(["/etc/systemd/system/customdb.service", "/etc/customdb/customdb.conf"]) == []
    assert stack.planned(stack.project.preview_json()) == ["install", "configure"]
    initialised = stack.sh(server, "stat -c %Y /var/lib/customdb/data/PG_VERSION")
    stack.project.up()
    out = stack.outputs()
    assert out["healthy"] is True and out["status"] == "running"
    assert stack.sh(server, "stat -c %Y /var/lib/customdb/data/PG_VERSION") == initialised  # kept, not redone
    stack.project.preview("--expect-no-changes")


def test_remove_with_keep_data_leaves_the_data(world: World) -> None:
    stack, server = world.stack, world.server
    address = stack.outputs()["primary_private_ip"]
    cert = stack.certificate(server)
    stack.psql(
        address, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')", root_cert=cert
    )
    stack.sh(server, "/usr/local/sbin/customdb-backup >/dev/null")
    stack.settings({"keep_data": True})
    preview = stack.project.preview_json()
    assert stack.planned(preview) == [] and {
        n for n, op in stack.command_ops(preview).items() if op != "same"
    } == {"db-remove"}
    stack.project.up()
    stack.project.destroy("--target", DATABASE, "--target-dependents")
    kept = ["/var/lib/customdb/data/PG_VERSION", "/var/backups/customdb"]
    assert world.present(kept) == kept
    assert stack.sh(server, "ls /var/backups/customdb | grep -c 'postgres.dump$'").strip() == "1"
    # left besides the data: the record that customdb made those folders (so a later remove takes them)
    assert stack.sh(server, "cat /var/lib/provisioning/customdb/created-dirs").split() == [
        "/var/backups/customdb", "/var/lib/customdb", "/var/lib/customdb/data"
    ]  # fmt: skip
    stays = ("/var/lib/customdb", "/var/backups/customdb", "/var/lib/provisioning/customdb")
    assert world.present([p for p in SERVICE_PATHS if p not in stays]) == []
    assert world.postgres_processes() == ""
    assert stack.sh_rc(server, host_services.enabled("cron")) != 0  # customdb enabled it for itself


def test_a_new_install_finds_the_kept_cluster(world: World) -> None:
    stack, server = world.stack, world.server
    stack.project.up()
    address = stack.outputs()["primary_private_ip"]
    cert = stack.certificate(server)
    assert stack.psql(address, "SELECT note FROM kept", root_cert=cert).stdout.strip() == "still here"


def test_remove_without_keep_data_leaves_nothing_of_the_service(world: World) -> None:
    stack, server = world.stack, world.server
    stack.settings({})
    stack.project.up()
    stack.project.destroy("--target", DATABASE, "--target-dependents")
    assert world.present(SERVICE_PATHS) == []
    assert world.postgres_processes() == ""
    assert stack.sh_rc(server, host_services.enabled("customdb")) != 0
    assert stack.sh_rc(server, host_services.enabled("cron")) != 0
    # the packages installed are those installed before (what apt pulled in went with them), and the
    # instance's disk layer holds no file added since that a package or the system's records do not explain
    assert world.packages() == world.packages_before  # type: ignore[attr-defined]
    after, before = world.files(), world.before_install  # type: ignore[attr-defined]
    added, gone = world.unowned(after - before), sorted(before - after)
    assert (added, gone) == ([], []), f"{len(added)} files added: {added[:30]}; {len(gone)} gone: {gone[:30]}"
    assert [r["type"] for r in stack.project.resources() if "customdb" in r["type"].lower()] == []
