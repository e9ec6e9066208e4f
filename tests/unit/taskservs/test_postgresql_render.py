"""PostgreSQL's rendered files against fixtures (`fixtures_postgresql/<scenario>/<path on the host>`) for a
primary and a standby, and its step scripts: valid POSIX sh (alone and as run over SSH), no password in
them, the standby cloned from its primary with the password kept only in its 0600 passfile."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioning.components.taskservs.postgresql.render import PRIMARY, Host, config_files, scripts
from provisioning.components.taskservs.postgresql.spec import PostgreSQLConfig
from provisioning.sdk.taskservice import remote_command
from tests.support.tools import assert_posix_sh

from .mocks import files_under

FIXTURES = Path(__file__).with_name("fixtures_postgresql")
_FULL = PostgreSQLConfig(
    name="orders-db",
    port=6432,
    listen_addresses=["*"],
    max_connections=80,
    users=[{"name": "app"}],
    databases=[{"name": "orders", "owner": "app"}],
    replication={"enabled": True, "replicas": 2},
    backup={"enabled": True, "schedule": "*/30 1-5 * * mon-fri", "retention_days": 14,
            "storage_location": "/srv/pg-backups"},
    monitoring={"enabled": True, "metrics_port": 9300, "log_level": "debug"},
)  # fmt: skip
SCENARIOS: dict[str, tuple[PostgreSQLConfig, Host]] = {
    "defaults": (PostgreSQLConfig(name="pg"), PRIMARY),
    "full-primary": (_FULL, PRIMARY),
    "full-replica": (_FULL, Host("replica", 1, "10.0.0.5")),
}
"""name → (config, host)."""


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_rendered_files_match_the_fixtures(scenario: str) -> None:
    assert config_files(*SCENARIOS[scenario]) == files_under(FIXTURES / scenario)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_step_scripts_are_posix_sh(scenario: str) -> None:
    for step, text in scripts(*SCENARIOS[scenario]).items():
        assert_posix_sh(f"{scenario} {step}", text)
        assert_posix_sh(f"{scenario} {step}.remote", remote_command(step, text))


def test_the_steps_of_a_primary_and_of_a_standby() -> None:
    assert sorted(scripts(PostgreSQLConfig(name="pg"))) == [
        "configure", "credentials", "health", "install", "remove", "remove-armed",
    ]  # fmt: skip
    primary = scripts(*SCENARIOS["full-primary"])
    assert sorted(primary) == [
        "configure", "credentials", "health", "install", "remove", "remove-armed", "standbys-health",
    ]  # fmt: skip
    assert "application_name IN ('orders_db_replica_0', 'orders_db_replica_1')" in primary["standbys-health"]
    assert 'replicator_sql "$quoted"' in primary["credentials"]
    for package in ("prometheus-postgres-exporter", "curl", "cron"):
        assert package in primary["install"]
    assert "check_pass backup" in primary["health"] and "check_pass exporter" in primary["health"]
    replica = scripts(*SCENARIOS["full-replica"])
    assert sorted(replica) == ["configure", "health", "install", "remove", "remove-armed", "standby"]
    standby = replica["standby"]
    passfile = "/etc/postgresql/15/main/replication.pgpass"
    written = standby.index(f'write_passfile {passfile} "$PRIMARY" 6432 "$PASSWORD"')
    cloned = standby.index(f'base_backup "/usr/lib/postgresql/$MAJOR/bin" {passfile} prefer "$DATA.partial"')
    assert "PRIMARY=10.0.0.5" in standby and written < cloned
    assert "check_pass streaming" in replica["health"] and "check_pass backup" not in replica["health"]
    assert "is not a standby: the standby step has not run" in replica["configure"]


def test_the_backup_script_dumps_every_database_and_prunes_by_age() -> None:
    script = config_files(*SCENARIOS["full-primary"])["/usr/local/sbin/postgresql-backup"]
    assert 'connect="-h /var/run/postgresql -p 6432 -U postgres"' in script
    assert "-name 'postgresql-*' -mmin +20160" in script  # 14 days
    cron = config_files(*SCENARIOS["full-primary"])["/etc/cron.d/postgresql-backup"]
    assert "*/30 1-5 * * mon-fri root /usr/local/sbin/postgresql-backup scheduled" in cron
