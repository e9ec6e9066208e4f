"""MariaDB and PostgreSQL: each declaration is registered by its type token, and each of its rules names
the field, the value and the rule, through the registry and through the component (which registers nothing
on a broken config)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from provisioning.components.taskservs.mariadb import MARIADB, MariaDB
from provisioning.components.taskservs.postgresql import POSTGRESQL, PostgreSQL

from .mocks import target
from .rule_table import broken, rule_tests

SHARED = [
    broken("port", 80, "port must be between 1024 and 65535"),
    broken("max_connections", 0, "max_connections must be positive"),
    broken("databases", ["a"], "databases names must be unique (a repeat)",
           given={"databases": [{"name": "a"}, {"name": "a"}]}),
    broken("backup.schedule", "0 25 * * *",
           "schedule '0 25 * * *' must be a 5-field cron schedule (minute hour day-of-month month "
           "day-of-week): hour 25 is not in 0-23"),
    broken("backup.retention_days", 0, "retention_days must be at least 1"),
]  # fmt: skip
"""The rules both declare, in the same words."""
BACKUPS = "must be an absolute path at least two levels deep, of letters, digits, '.', '_' and '-'"
MARIADB_ROWS = [
    broken("version", "10", "version '10' must be a MariaDB release line (10.11) or release (10.11.19)"),
    broken("users.0.name", "App",
           "name 'App' must be 1 to 63 lowercase letters, digits and '_', not starting with a digit",
           given={"users": [{"name": "App"}]}),
    broken("databases", "nobody", "databases owner 'nobody' of 'shop' must be root or one of users",
           given={"databases": [{"name": "shop", "owner": "nobody"}]}),
    broken("users", "replicator",
           "users must not include replicator (reserved: root, mysql, mariadb.sys, replicator, exporter)",
           given={"users": [{"name": "replicator"}]}),
    broken("replication.replicas", 0, "replicas must be at least 1"),
    broken("backup.storage_location", "backups",
           f"storage_location 'backups' {BACKUPS} (/var/backups/mariadb)"),
    broken("monitoring.metrics_port", 3306, "monitoring.metrics_port must differ from port 3306",
           given={"monitoring": {"enabled": True, "metrics_port": 3306}}),
    broken("monitoring.metrics_port", 70000, "metrics_port must be between 1024 and 65535"),
]  # fmt: skip
POSTGRESQL_ROWS = [
    broken("version", "15.x", "version '15.x' must be a PostgreSQL major version (15)"),
    broken("listen_addresses", "10.0.0.300",
           "listen_addresses item '10.0.0.300' must be '*', 'localhost' or an IP address",
           given={"listen_addresses": ["10.0.0.300"]}),
    broken("listen_addresses", [], "listen_addresses must name at least one address ('*')"),
    broken("databases", "nobody", "databases owner 'nobody' of 'shop' must be postgres or one of users",
           given={"databases": [{"name": "shop", "owner": "nobody"}]}),
    broken("users", "postgres", "users must not include postgres (the cluster's superuser)",
           given={"users": [{"name": "postgres"}]}),
    broken("replication.replicas", 0, "replicas must be at least 1",
           given={"replication": {"enabled": True, "replicas": 0}}),
    broken("backup.storage_location", "backups", f"storage_location 'backups' {BACKUPS} (/var/backups/pg)"),
    broken("monitoring.metrics_port", 80, "metrics_port must be between 1024 and 65535"),
    broken("monitoring.log_level", "loud", "unknown log_level 'loud'; known: debug, info, warn, error"),
    broken("monitoring.metrics_port", 5432, "monitoring.metrics_port must differ from port 5432",
           given={"monitoring": {"enabled": True, "metrics_port": 5432}}),
    broken("users", "replicator",
           "users must not include replicator (the replication role) when replication is enabled",
           given={"replication": {"enabled": True}, "users": [{"name": "replicator"}]}),
]  # fmt: skip
GOOD = {"name": "db"}


def _built(service: Callable[..., object]) -> Callable[[dict[str, Any]], object]:
    """A builder of `service` (MariaDB, PostgreSQL) named `db` on 10.0.0.9, a row's values its config."""
    return lambda values: service("db", values, target=target("10.0.0.9"))


TestMariaDBRules = rule_tests(MARIADB, GOOD, "MariaDB 'db'", _built(MariaDB), SHARED + MARIADB_ROWS)
TestPostgreSQLRules = rule_tests(
    POSTGRESQL, GOOD, "PostgreSQL 'db'", _built(PostgreSQL), SHARED + POSTGRESQL_ROWS
)
