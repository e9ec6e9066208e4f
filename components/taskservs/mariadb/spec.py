"""The MariaDB declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:MariaDB` (kind "taskserv", category "database"). Named by the
`provisioning.taskservs` entry point. Imports no Pulumi."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from provisioning.sdk.rules import Matches
from provisioning.sdk.taskservice.rules import UNPRIVILEGED_PORT, Positive, deep_path
from provisioning.sdk.taskservice.settings import TaskServiceSettings
from provisioning.sdk.validation import Violation

from .. import _database as database
from .._database import Default, defaults, metrics_port_apart
from .._service import declare

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


if TYPE_CHECKING:  # the type checker sees the shared shapes; pydantic, MariaDB's own sections
    from .._database import (
        BackupSettings,
        DatabaseSettings,
        MonitoringSettings,
        ReplicationSettings,
        UserSettings,
    )
else:
    UserSettings = database.UserSettings.for_service(
        doc="A login account (`name`@`%`); its password is a secret given to the component (`passwords`).",
    )
    DatabaseSettings = database.DatabaseSettings.for_service(
        owner=Default("root", "Who gets every privilege on it: `root` (nobody else) or one of `users`."),
    )
    ReplicationSettings = database.ReplicationSettings.for_service(
        doc="Read-only replica servers that replicate from the primary (MariaDB GTID replication).",
        enabled=Default(False, "Run `replicas` replica servers (the component's `replicas` targets)."),
        replicas=Default(1, "How many replicas (one replica target each)."),
    )
    BackupSettings = database.BackupSettings.for_service(
        doc="Scheduled logical backups (mariadb-dump of every database) to a local folder, run by cron.",
        storage_location=(Annotated[str, _PATH], Default("/var/backups/mariadb")),
    )
    MonitoringSettings = database.MonitoringSettings.for_service(
        doc="The Prometheus metrics exporter (prometheus-mysqld-exporter).",
        enabled=Default(False, "Run the exporter as a second service (`mariadb-exporter`)."),
        metrics_port=Default(9104),
    )


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
    backup: BackupSettings = Field(default_factory=defaults(BackupSettings))
    """Scheduled backups."""
    monitoring: MonitoringSettings = Field(default_factory=defaults(MonitoringSettings))
    """Metrics exporter."""


def names_unique_and_owners_known(config: MariaDBConfig) -> list[Violation]:
    """Users and databases are named once each, no user takes a reserved name, and a database's owner is
    `root` or one of `users`."""
    found = database.repeated_names(config)
    for user in config.users:
        if user.name in RESERVED_USERS:
            rule = f"users must not include {user.name} (reserved: {', '.join(RESERVED_USERS)})"
            found.append(Violation("users", user.name, rule))
    return found + database.unknown_owners(config, "root")


MARIADB = declare("MariaDB", MariaDBConfig, "database", (names_unique_and_owners_known, metrics_port_apart))
"""The MariaDB task service."""
