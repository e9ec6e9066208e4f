"""MariaDB and PostgreSQL: each declaration is registered by its type token, and each of its rules names
the field, the value and the rule, through the registry and through the component (which registers nothing
on a broken config)."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.components.taskservs.mariadb import MARIADB
from provisioning.components.taskservs.postgresql import POSTGRESQL
from provisioning.sdk import registry
from provisioning.sdk.registry import Declaration

from .mocks import refused, target

SHARED_BAD = [
    ({"port": 80}, "port", 80, "port must be between 1024 and 65535"),
    ({"max_connections": 0}, "max_connections", 0, "max_connections must be positive"),
    ({"databases": [{"name": "a"}, {"name": "a"}]}, "databases", ["a"],
     "databases names must be unique (a repeat)"),
    ({"backup": {"schedule": "0 25 * * *"}}, "backup.schedule", "0 25 * * *",
     "schedule '0 25 * * *' must be a 5-field cron schedule (minute hour day-of-month month day-of-week): "
     "hour 25 is not in 0-23"),
    ({"backup": {"retention_days": 0}}, "backup.retention_days", 0, "retention_days must be at least 1"),
]  # fmt: skip
"""The rules both declare, in the same words."""
MARIADB_BAD = [
    ({"version": "10"}, "version", "10",
     "version '10' must be a MariaDB release line (10.11) or release (10.11.19)"),
    ({"users": [{"name": "App"}]}, "users.0.name", "App",
     "name 'App' must be 1 to 63 lowercase letters, digits and '_', not starting with a digit"),
    ({"databases": [{"name": "shop", "owner": "nobody"}]}, "databases", "nobody",
     "databases owner 'nobody' of 'shop' must be root or one of users"),
    ({"users": [{"name": "replicator"}]}, "users", "replicator",
     "users must not include replicator (reserved: root, mysql, mariadb.sys, replicator, exporter)"),
    ({"replication": {"replicas": 0}}, "replication.replicas", 0, "replicas must be at least 1"),
    ({"backup": {"storage_location": "backups"}}, "backup.storage_location", "backups",
     "storage_location 'backups' must be an absolute path at least two levels deep, of letters, digits, "
     "'.', '_' and '-' (/var/backups/mariadb)"),
    ({"monitoring": {"enabled": True, "metrics_port": 3306}}, "monitoring.metrics_port", 3306,
     "monitoring.metrics_port must differ from port 3306"),
    ({"monitoring": {"metrics_port": 70000}}, "monitoring.metrics_port", 70000,
     "metrics_port must be between 1024 and 65535"),
]  # fmt: skip
POSTGRESQL_BAD = [
    ({"version": "15.x"}, "version", "15.x", "version '15.x' must be a PostgreSQL major version (15)"),
    ({"listen_addresses": ["10.0.0.300"]}, "listen_addresses", "10.0.0.300",
     "listen_addresses item '10.0.0.300' must be '*', 'localhost' or an IP address"),
    ({"listen_addresses": []}, "listen_addresses", [],
     "listen_addresses must name at least one address ('*')"),
    ({"databases": [{"name": "shop", "owner": "nobody"}]}, "databases", "nobody",
     "databases owner 'nobody' of 'shop' must be postgres or one of users"),
    ({"users": [{"name": "postgres"}]}, "users", "postgres",
     "users must not include postgres (the cluster's superuser)"),
    ({"replication": {"enabled": True, "replicas": 0}}, "replication.replicas", 0,
     "replicas must be at least 1"),
    ({"backup": {"storage_location": "backups"}}, "backup.storage_location", "backups",
     "storage_location 'backups' must be an absolute path at least two levels deep, of letters, digits, "
     "'.', '_' and '-' (/var/backups/pg)"),
    ({"monitoring": {"metrics_port": 80}}, "monitoring.metrics_port", 80,
     "metrics_port must be between 1024 and 65535"),
    ({"monitoring": {"log_level": "loud"}}, "monitoring.log_level", "loud",
     "unknown log_level 'loud'; known: debug, info, warn, error"),
    ({"monitoring": {"enabled": True, "metrics_port": 5432}}, "monitoring.metrics_port", 5432,
     "monitoring.metrics_port must differ from port 5432"),
    ({"replication": {"enabled": True}, "users": [{"name": "replicator"}]}, "users", "replicator",
     "users must not include replicator (the replication role) when replication is enabled"),
]  # fmt: skip
CASES = [
    (declaration, *case)
    for declaration, own in ((MARIADB, MARIADB_BAD), (POSTGRESQL, POSTGRESQL_BAD))
    for case in SHARED_BAD + own
]
IDS = [f"{case[0].model.__name__}-{case[2]}={case[3]!r}" for case in CASES]


@pytest.mark.parametrize("declaration", [MARIADB, POSTGRESQL], ids=["MariaDB", "PostgreSQL"])
def test_the_declaration_is_registered_by_type_token(declaration: Declaration) -> None:
    found = registry.declarations()[declaration.type_token]
    assert found is declaration and found.kind == "taskserv" and found.category == "database"
    assert registry.declaration_for_type(declaration.type_token) is declaration


@pytest.mark.parametrize(("declaration", "values", "field", "value", "rule"), CASES, ids=IDS)
def test_each_rule_names_field_value_and_rule(
    declaration: Declaration, values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    [found] = declaration.check({"name": "db", **values})
    assert (found.field, found.value, found.rule) == (field, value, rule)


@pytest.mark.parametrize(("declaration", "values", "field", "value", "rule"), CASES, ids=IDS)
def test_the_component_fails_before_registering_anything(
    declaration: Declaration, values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    from provisioning.components.taskservs.mariadb import MariaDB
    from provisioning.components.taskservs.postgresql import PostgreSQL

    service = MariaDB if declaration is MARIADB else PostgreSQL
    error = refused(lambda: service("db", values, target=target("10.0.0.9")))
    assert str(error) == f"{service.__name__} 'db': invalid config: {field}: {rule} (got {value!r})"
