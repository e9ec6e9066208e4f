"""The MariaDB declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:MariaDB` (kind "taskserv", category "database"). Named by the
`provisioning.taskservs` entry point. Imports no Pulumi."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from provisioning.components.taskservs.custom_database.spec import metrics_port_apart
from provisioning.sdk.registry import Declaration, register
from provisioning.sdk.rules import AtLeast, Matches
from provisioning.sdk.taskservice.rules import (
    SQL_NAME,
    UNPRIVILEGED_PORT,
    CronSchedule,
    Positive,
    deep_path,
)
from provisioning.sdk.taskservice.settings import SettingsModel, TaskServiceSettings
from provisioning.sdk.validation import Violation

__all__ = [
    "MARIADB",
    "RESERVED_USERS",
    "BackupSettings",
    "DatabaseSettings",
    "MariaDBConfig",
    "MonitoringSettings",
    "ReplicationSettings",
    "UserSettings",
]

RESERVED_USERS = ("root", "mysql", "mariadb.sys", "replicator", "exporter")
"""Accounts the task service (or MariaDB itself) owns: never one of `users`."""

_PATH = deep_path("/var/backups/mariadb")


class UserSettings(SettingsModel):
    """A login account (`name`@`%`); its password is a secret given to the component (`passwords`)."""

    name: Annotated[str, SQL_NAME]
    """The account's name."""


class DatabaseSettings(SettingsModel):
    """A database to create."""

    name: Annotated[str, SQL_NAME]
    """The database's name."""
    owner: Annotated[str, SQL_NAME] = "root"
    """Who gets every privilege on it: `root` (nobody else) or one of `users`."""


class ReplicationSettings(SettingsModel):
    """Read-only replica servers that replicate from the primary (MariaDB GTID replication)."""

    enabled: bool = False
    """Run `replicas` replica servers (the component's `replicas` targets)."""
    replicas: Annotated[int, AtLeast(1)] = 1
    """How many replicas (one replica target each)."""


class BackupSettings(SettingsModel):
    """Scheduled logical backups (mariadb-dump of every database) to a local folder, run by cron."""

    enabled: bool = False
    """Install the backup script and its cron entry."""
    schedule: Annotated[str, CronSchedule()] = "0 2 * * *"
    """When backups run: a 5-field cron schedule (minute hour day-of-month month day-of-week)."""
    retention_days: Annotated[int, AtLeast(1)] = 7
    """Backups older than this many days are deleted after each backup."""
    storage_location: Annotated[str, _PATH] = "/var/backups/mariadb"
    """Local folder the dumps go to."""


class MonitoringSettings(SettingsModel):
    """The Prometheus metrics exporter (prometheus-mysqld-exporter)."""

    enabled: bool = False
    """Run the exporter as a second service (`mariadb-exporter`)."""
    metrics_port: Annotated[int, UNPRIVILEGED_PORT] = 9104
    """TCP port of the exporter's /metrics."""


class MariaDBConfig(TaskServiceSettings):
    """MariaDB from the OS packages run as its own service (`mariadb`), with users, databases, replicas,
    backups and metrics."""

    version: Annotated[
        str,
        Matches(r"[1-9][0-9]*\.[0-9]+(\.[0-9]+)?", "a MariaDB release line (10.11) or release (10.11.19)"),
    ] = "10.11"
    """The MariaDB release line (10.11) or release (10.11.19); the host must have it."""
    port: Annotated[int, UNPRIVILEGED_PORT] = 3306
    """TCP port clients connect to."""
    max_connections: Annotated[int, Positive()] = 100
    """Most concurrent client connections."""
    databases: list[DatabaseSettings] = Field(default_factory=list)
    """Databases to create (never dropped)."""
    users: list[UserSettings] = Field(default_factory=list)
    """Accounts to create, each with a password in the component's `passwords`; they log in from anywhere."""
    replication: ReplicationSettings = Field(default_factory=ReplicationSettings)
    """Read-only replicas."""
    backup: BackupSettings = Field(default_factory=BackupSettings)
    """Scheduled backups."""
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    """Metrics exporter."""


def names_unique_and_owners_known(config: MariaDBConfig) -> list[Violation]:
    """Users and databases are named once each, no user takes a reserved name, and a database's owner is
    `root` or one of `users`."""
    found = []
    for field, names in (
        ("users", [u.name for u in config.users]),
        ("databases", [d.name for d in config.databases]),
    ):
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            found.append(
                Violation(field, repeated, f"{field} names must be unique ({', '.join(repeated)} repeat)")
            )
    for user in config.users:
        if user.name in RESERVED_USERS:
            rule = f"users must not include {user.name} (reserved: {', '.join(RESERVED_USERS)})"
            found.append(Violation("users", user.name, rule))
    users = {"root", *(u.name for u in config.users)}
    for database in config.databases:
        if database.owner not in users:
            rule = f"databases owner {database.owner!r} of {database.name!r} must be root or one of users"
            found.append(Violation("databases", database.owner, rule))
    return found


MARIADB = register(
    Declaration(
        "provisioning:taskservs:MariaDB",
        MariaDBConfig,
        kind="taskserv",
        category="database",
        rules=(names_unique_and_owners_known, metrics_port_apart),
    )
)
"""The MariaDB task service."""
