"""What the PostgreSQL task services share (`components/taskservs/_database/postgres`): where a cluster's
files go, the replica-target rule, and the same templates rendering each service's backup script, cron entry
and exporter (only names and paths differ)."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.components.taskservs import postgres_common
from provisioning.components.taskservs._database.postgres import ClusterLayout, replica_name
from provisioning.components.taskservs.custom_database.render import (
    Host as CustomHost,
    config_files as custom_files,
)
from provisioning.components.taskservs.custom_database.spec import CustomDatabaseConfig
from provisioning.components.taskservs.postgresql.render import config_files as pg_files
from provisioning.components.taskservs.postgresql.spec import PostgreSQLConfig
from provisioning.sdk.taskservice.credentials import replica_violations


def test_a_cluster_names_its_files_after_its_prefix() -> None:
    found = ClusterLayout("PostgreSQL pg", "postgresql", "/var/lib/postgresql/15/main", "/var/run/postgresql",
                          5432, "/var/log/postgresql", "postgresql@15-main.service")  # fmt: skip
    assert (found.backup_script, found.cron_file) == (
        "/usr/local/sbin/postgresql-backup",
        "/etc/cron.d/postgresql-backup",
    )
    assert found.exporter == "postgresql-exporter"
    assert found.exporter_unit_file == "/etc/systemd/system/postgresql-exporter.service"
    assert replica_name("orders-db", 2) == "orders_db_replica_2"


def test_the_former_import_path_still_names_them() -> None:
    assert postgres_common.Cluster is ClusterLayout and postgres_common.replica_name is replica_name


CASES = [
    (True, 2, 2, []),
    (False, 1, 0, []),
    (True, 2, 1, [("replication.replicas", 2,
                   "replication.replicas is 2 but 1 replica target(s) were given (replicas=[...])")]),
    (False, 1, 3, [("replication.enabled", False,
                    "3 replica target(s) were given but replication.enabled is false")]),
]  # fmt: skip


@pytest.mark.parametrize(("enabled", "wanted", "given", "expected"), CASES)
def test_replica_targets_match_the_config(
    enabled: bool, wanted: int, given: int, expected: list[Any]
) -> None:
    found = replica_violations(enabled, wanted, given)
    assert [(v.field, v.value, v.rule) for v in found] == expected


def _generic(text: str, names: dict[str, str]) -> str:
    for old, new in names.items():
        text = text.replace(old, new)
    return text


def test_both_services_render_backups_and_the_exporter_from_the_same_templates() -> None:
    custom = custom_files(CustomDatabaseConfig(name="db"), CustomHost("10.0.0.5"))
    pg = pg_files(PostgreSQLConfig(name="db", backup={"enabled": True}, monitoring={"enabled": True}))
    custom_names = {
        "/var/lib/customdb/data": "DATA", "/run/customdb": "SOCKET", "/var/backups/customdb": "STORAGE",
        "/var/log/customdb": "LOGS", "CustomDatabase db": "TITLE", "customdb-": "PREFIX-",
        "After=customdb.service": "After=UNIT",
    }  # fmt: skip
    pg_names = {
        "/var/lib/postgresql/15/main": "DATA", "/var/run/postgresql": "SOCKET",
        "/var/backups/postgresql": "STORAGE", "/var/log/postgresql": "LOGS", "PostgreSQL db": "TITLE",
        "postgresql-": "PREFIX-", "After=postgresql@15-main.service": "After=UNIT",
    }  # fmt: skip
    for path in (
        "/usr/local/sbin/{}-backup",
        "/etc/cron.d/{}-backup",
        "/etc/systemd/system/{}-exporter.service",
    ):
        ours = _generic(custom[path.format("customdb")], custom_names)
        assert ours == _generic(pg[path.format("postgresql")], pg_names), path
