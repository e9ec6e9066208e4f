"""CustomDatabase on the real Pulumi engine against machine hosts (examples/database): `up` installs
PostgreSQL as the service customdb; a real client writes and reads a row over TLS through the server's
address; a configure-only change (max_connections) restarts in place and the preview planned only the
configure step; the backup script dumps, restores and prunes, its cron entry has the configured schedule;
the exporter answers with `pg_up 1`; the update path runs for a release the host has and refuses one it
has not; an interrupted configure converges; a streaming standby reads what the primary wrote; every check
fails at preview, naming the field, with nothing created; secrets never in plaintext."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from tests.support.pulumi_cli import PulumiError

from . import host_services
from .taskservice_support import DatabaseStack, database_stack, deployed_database_fixture

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(1200)]

SCHEDULE = "15 3 * * *"
SETTINGS = {"backup": {"schedule": SCHEDULE, "retention_days": 2}}
TIMINGS: dict[str, float] = {}


stack = deployed_database_fixture(
    "custom-database", cidr="10.44.0.0/16", settings=SETTINGS, timings=TIMINGS, label="custom database"
)


@pytest.fixture(scope="module")
def primary(stack: DatabaseStack) -> str:
    return str(stack.outputs()["primary_id"])


@pytest.fixture(scope="module")
def address(stack: DatabaseStack) -> str:
    return str(stack.outputs()["primary_private_ip"])


@pytest.fixture(scope="module")
def cert(stack: DatabaseStack, primary: str) -> Path:
    return stack.certificate(primary)


def test_up_installs_a_healthy_database(stack: DatabaseStack, primary: str, address: str) -> None:
    out = stack.outputs()
    assert out["endpoint"] == f"{address}:5432"
    assert out["healthy"] is True and out["status"] == "running"
    assert out["version"].startswith("15.")
    assert [check["name"] for check in out["health"]] == ["service", "connect", "exporter", "backup"]
    assert all(check["status"] == "pass" and check["last_check"].endswith("Z") for check in out["health"])
    assert "over TLSv1.3" in out["health"][1]["message"]
    assert out["planned_changes"] == []  # the up is done: nothing left to run
    meta = out["service_metadata"]
    assert (meta["name"], meta["category"], meta["version"]) == ("custom-database", "database", "15")
    assert meta["ports"] == [5432, 9187] and meta["supported_os"] == ["debian", "ubuntu"]
    assert meta["data_directories"] == ["/var/lib/customdb/data", "/var/backups/customdb"]
    assert "postgresql-15" in meta["dependencies"] and "prometheus-postgres-exporter" in meta["dependencies"]
    # its own service, a systemd unit, as user postgres, with the rendered config file
    assert stack.sh_rc(primary, host_services.enabled_and_running("customdb")) == 0
    postmaster = stack.sh(primary, "head -n 1 /var/lib/customdb/data/postmaster.pid").strip()
    args = stack.sh(primary, f"ps -o user=,args= -p {postmaster}").split()
    assert args[0] == "postgres" and args[1] == "/usr/lib/postgresql/15/bin/postgres"
    assert "config_file=/etc/customdb/customdb.conf" in args[-1]
    assert stack.sh_rc(primary, "test -d /var/log/customdb && ls /var/log/customdb/customdb-*.log") == 0


def test_a_tls_client_writes_and_reads_a_row(stack: DatabaseStack, address: str, cert: Path) -> None:
    create = "CREATE TABLE orders (id int PRIMARY KEY, item text); INSERT INTO orders VALUES (1, 'tea')"
    stack.psql(address, create, root_cert=cert)
    assert stack.psql(address, "SELECT item FROM orders WHERE id = 1", root_cert=cert).stdout.strip() == "tea"
    tls = stack.psql(
        address, "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()", root_cert=cert
    )
    assert tls.stdout.strip() == "t|TLSv1.3"
    plain = stack.psql(address, "SELECT 1", sslmode="disable", check=False)
    assert plain.returncode != 0 and "no encryption" in plain.stderr  # hostssl only
    wrong = stack.psql(address, "SELECT 1", root_cert=Path("/etc/ssl/certs/ca-certificates.crt"), check=False)
    assert wrong.returncode != 0 and "certificate" in wrong.stderr  # verify-full against the host's own cert


def test_the_exporter_answers_with_postgres_metrics(address: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        metrics = httpx.get(f"http://{address}:9187/metrics", timeout=5).text
        if "\npg_up 1" in metrics or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert "\npg_up 1\n" in metrics
    assert 'pg_settings_max_connections{server="' in metrics


def test_the_backup_script_dumps_restores_prunes_and_cron_has_the_schedule(
    stack: DatabaseStack, primary: str, address: str, cert: Path
) -> None:
    storage = "/var/backups/customdb"
    cron = stack.sh(primary, "cat /etc/cron.d/customdb-backup")
    assert f"\n{SCHEDULE} root /usr/local/sbin/customdb-backup scheduled" in cron
    assert stack.sh_rc(primary, host_services.enabled_and_running("cron")) == 0
    stack.sh(primary, f"touch -d '3 days ago' {storage}/customdb-scheduled-old-postgres.dump && "
                      f"touch -d '1 day ago' {storage}/customdb-scheduled-recent-postgres.dump && "
                      f"touch -d '3 days ago' {storage}/not-ours.txt")  # fmt: skip
    log = stack.sh(primary, "/usr/local/sbin/customdb-backup")
    assert f"pruned {storage}/customdb-scheduled-old-postgres.dump" in log
    files = stack.sh(primary, f"ls {storage}").split()
    assert "customdb-scheduled-old-postgres.dump" not in files  # older than retention_days (2)
    assert {"customdb-scheduled-recent-postgres.dump", "not-ours.txt"} <= set(files)
    made = [line.split(": ", 1)[1] for line in log.splitlines() if line.startswith("customdb-backup: /")]
    [dump] = [path for path in made if path.endswith("-postgres.dump")]
    # the dump restores (custom format, pg_restore) into a new database, with the row
    restore = f"createdb -h /run/customdb restored && pg_restore -h /run/customdb -d restored {dump}"
    stack.sh(primary, f"cd / && setpriv --reuid=postgres --regid=postgres --init-groups -- sh -c '{restore}'")
    assert (
        stack.psql(address, "SELECT item FROM orders", database="restored", root_cert=cert).stdout.strip()
        == "tea"
    )
    stack.psql(address, "DROP DATABASE restored", root_cert=cert)
    stack.sh(primary, f"rm -f {storage}/not-ours.txt {storage}/customdb-scheduled-recent-postgres.dump")


def test_refresh_then_preview_has_no_changes(stack: DatabaseStack) -> None:
    stack.project.refresh()
    stack.project.preview("--expect-no-changes")


def test_a_config_change_reruns_only_configure(
    stack: DatabaseStack, primary: str, address: str, cert: Path
) -> None:
    before = stack.sh(primary, "head -n 1 /var/lib/customdb/data/postmaster.pid").strip()
    stack.settings({**SETTINGS, "max_connections": 150})
    preview = stack.project.preview_json()
    assert stack.planned(preview) == ["configure"]
    changed = {name: op for name, op in stack.command_ops(preview).items() if op != "same"}
    assert changed == {"db-configure": "update", "db-health": "update"}  # health re-checks after any change
    _, TIMINGS["configure-only up"] = stack.timed_up()
    assert stack.psql(address, "SHOW max_connections", root_cert=cert).stdout.strip() == "150"
    assert stack.psql(address, "SELECT item FROM orders WHERE id = 1", root_cert=cert).stdout.strip() == "tea"
    assert stack.sh(primary, "head -n 1 /var/lib/customdb/data/postmaster.pid").strip() != before  # restarted
    assert "\nmax_connections = 150\n" in stack.sh(primary, "cat /etc/customdb/customdb.conf")
    assert stack.outputs()["healthy"] is True


def test_a_configure_interrupted_halfway_converges(
    stack: DatabaseStack, primary: str, address: str, cert: Path
) -> None:
    """The test hook: /etc/provisioning/fail-points/customdb.configure.before-restart makes the configure
    step stop (once) after writing the files and before the restart."""
    stack.sh(primary, "mkdir -p /etc/provisioning/fail-points && "
                      "touch /etc/provisioning/fail-points/customdb.configure.before-restart")  # fmt: skip
    stack.settings({**SETTINGS, "max_connections": 120})
    with pytest.raises(PulumiError, match="stopped at fail point customdb.configure.before-restart"):
        stack.project.up()
    assert (
        stack.psql(address, "SHOW max_connections", root_cert=cert).stdout.strip() == "150"
    )  # not restarted
    assert stack.planned(stack.project.preview_json()) == ["configure"]  # still planned
    stack.project.up()
    assert stack.psql(address, "SHOW max_connections", root_cert=cert).stdout.strip() == "120"
    stack.project.preview("--expect-no-changes")


def test_update_to_a_release_the_host_has_runs_the_update_path(
    stack: DatabaseStack, primary: str, address: str, cert: Path
) -> None:
    """The host offers one PostgreSQL major (15): pinning its installed release (15.N) is a version change
    that runs the update step (pre-update backup, stop, packages, start, verify) without a major migration."""
    release = stack.outputs()["version"]
    stack.settings({**SETTINGS, "max_connections": 120, "version": release})
    preview = stack.project.preview_json()
    assert stack.planned(preview) == ["update"]
    assert {n for n, op in stack.command_ops(preview).items() if op != "same"} == {"db-version", "db-health"}
    before = stack.sh(primary, "head -n 1 /var/lib/customdb/data/postmaster.pid").strip()
    done, TIMINGS["update up"] = stack.timed_up()
    assert f"customdb updated: PostgreSQL {release} -> {release}" in done.stdout
    assert (
        stack.sh(
            primary, "ls /var/backups/customdb | grep -c '^customdb-pre-update-.*-postgres.dump$'"
        ).strip()
        == "1"
    )
    assert stack.sh(primary, "head -n 1 /var/lib/customdb/data/postmaster.pid").strip() != before
    assert stack.psql(address, "SELECT item FROM orders WHERE id = 1", root_cert=cert).stdout.strip() == "tea"
    assert stack.outputs()["version"] == release


def test_a_version_the_host_cannot_give_fails_naming_what_it_can(
    stack: DatabaseStack, address: str, cert: Path
) -> None:
    release = stack.outputs()["version"]
    stack.settings({**SETTINGS, "max_connections": 120, "version": "16"})
    with pytest.raises(
        PulumiError, match="version 16 is not available on this host; it offers PostgreSQL 15"
    ):
        stack.project.up()
    assert stack.psql(address, "SELECT item FROM orders WHERE id = 1", root_cert=cert).stdout.strip() == "tea"
    stack.settings({**SETTINGS, "max_connections": 120, "version": release})
    preview = stack.project.preview_json()  # the failed run changed no step: nothing to run again
    assert stack.planned(preview) == [] and set(stack.command_ops(preview).values()) <= {"same"}
    stack.project.up()  # records the component's inputs again
    stack.project.preview("--expect-no-changes")


def test_each_check_fails_at_preview_naming_the_field(stack: DatabaseStack, primary: str) -> None:
    good = {**SETTINGS, "max_connections": 120, "version": stack.outputs()["version"]}
    resources = len(stack.project.resources())
    conf = stack.sh(primary, "md5sum /etc/customdb/customdb.conf")
    cases = [
        ({"port": 80}, "port: port must be between 1024 and 65535 (got 80)"),
        ({"max_connections": 0}, "max_connections: max_connections must be positive (got 0)"),
        ({"memory_limit": "lots"}, "memory_limit: memory_limit 'lots' must be a memory size"),
        ({"backup": {"schedule": "0 2 * *"}}, "backup.schedule: schedule '0 2 * *' must be a 5-field cron"),
        (
            {"replication": {"mode": "eventually"}},
            "replication.mode: unknown mode 'eventually'; known: async, sync",
        ),
        ({"monitoring": {"log_level": "chatty"}}, "monitoring.log_level: unknown log_level 'chatty'"),
    ]
    for values, message in cases:
        stack.settings({**good, **values})
        failed = stack.project.run("up", "--yes", "--stack", stack.project.stack, check=False)
        text = failed.stdout + failed.stderr
        assert failed.returncode != 0 and f"CustomDatabase 'db': invalid config: {message}" in text, text[
            -1500:
        ]
        assert "Traceback" not in text
    stack.settings(good)
    assert len(stack.project.resources()) == resources
    assert stack.sh(primary, "md5sum /etc/customdb/customdb.conf") == conf
    stack.project.preview("--expect-no-changes")


def test_an_unhealthy_service_fails_the_up_naming_the_check(stack: DatabaseStack, primary: str) -> None:
    """The exporter's binary made unusable on this server only (its own disk layer): the next change's
    health step finds no metrics and fails the `up`, saying which check failed and why."""
    good = {**SETTINGS, "max_connections": 120, "version": stack.outputs()["version"]}
    stack.sh(primary, "chmod -x /usr/bin/prometheus-postgres-exporter")
    try:
        stack.settings({**good, "max_connections": 110})
        with pytest.raises(PulumiError) as failed:
            stack.project.up()
        assert "unhealthy: check 'exporter' failed: no 'pg_up 1' on http://127.0.0.1:9187/metrics" in str(
            failed.value
        )
    finally:
        stack.sh(primary, "chmod +x /usr/bin/prometheus-postgres-exporter")
    stack.settings(good)
    stack.project.up()
    assert stack.outputs()["healthy"] is True
    stack.project.preview("--expect-no-changes")


def test_a_bad_config_creates_nothing_in_a_new_stack(stack: DatabaseStack, tmp_path: Path) -> None:
    """`pulumi up` of a new stack whose database config breaks a rule fails at its preview: no server, no
    network, nothing in the state."""
    instances = len(stack.api.get("/instances").raise_for_status().json()["items"])
    fresh = database_stack(stack.cloud, tmp_path, cidr="10.46.0.0/16", settings={"port": 80}, name="fresh")
    try:
        failed = fresh.project.run("up", "--yes", "--stack", fresh.project.stack, check=False)
        text = failed.stdout + failed.stderr
        assert failed.returncode != 0
        assert (
            "CustomDatabase 'db': invalid config: port: port must be between 1024 and 65535 (got 80)" in text
        )
        assert [r["type"] for r in fresh.project.resources() if r["type"] != "pulumi:pulumi:Stack"] == []
        assert len(stack.api.get("/instances").raise_for_status().json()["items"]) == instances
        networks = stack.api.get("/networks").raise_for_status().json()["items"]
        assert [n["cidr"] for n in networks if n["cidr"] == "10.46.0.0/16"] == []
    finally:
        fresh.api.close()


def test_a_standby_reads_what_the_primary_wrote(stack: DatabaseStack, address: str, cert: Path) -> None:
    settings = {**SETTINGS, "max_connections": 120, "version": stack.outputs()["version"],
                "replication": {"enabled": True, "mode": "sync", "replicas": 1}}  # fmt: skip
    stack.settings(settings)
    assert stack.planned(stack.project.preview_json()) == ["install", "configure"]
    _, TIMINGS["add a standby up"] = stack.timed_up()
    out = stack.outputs()
    [replica_id], [replica_ip] = out["replica_ids"], out["replica_private_ips"]
    stack.trust(replica_id)
    assert out["healthy"] is True
    assert "replica-0:streaming" in [check["name"] for check in out["health"]]
    stack.psql(address, "INSERT INTO orders VALUES (2, 'coffee')", root_cert=cert)  # waits for the standby
    sync = stack.psql(address, "SELECT application_name, sync_state FROM pg_stat_replication", root_cert=cert)
    assert sync.stdout.strip() == "db_replica_0|quorum"
    replica_cert = stack.certificate(replica_id)
    read = stack.psql(replica_ip, "SELECT item FROM orders ORDER BY id", root_cert=replica_cert)
    assert read.stdout.split() == ["tea", "coffee"]
    assert stack.psql(replica_ip, "SELECT pg_is_in_recovery()", root_cert=replica_cert).stdout.strip() == "t"
    stack.project.preview("--expect-no-changes")


def test_secrets_never_in_plaintext(stack: DatabaseStack) -> None:
    texts = {
        "state": stack.project.state_file().read_text(),
        "stack config": (stack.project.workdir / "Pulumi.test.yaml").read_text(),
        "provider log": "".join(p.read_text() for p in (stack.tmp / "logs").glob("*") if p.is_file()),
    }
    key_lines = [line for line in stack.private_key.splitlines() if line and not line.startswith("-----")]
    for what, text in texts.items():
        password = stack.password in text or json.dumps(stack.password)[1:-1] in text
        key = sum(line in text for line in key_lines)
        assert not password, f"the admin password is in plaintext in the {what}"  # booleans only
        assert key == 0, f"{key} lines of the private key are in plaintext in the {what}"
