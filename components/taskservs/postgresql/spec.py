"""The PostgreSQL declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:PostgreSQL` (kind "taskserv", category "database"). Named by the
`provisioning.taskservs` entry point. Imports no Pulumi."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from provisioning.sdk.rules import Matches
from provisioning.sdk.taskservice.rules import UNPRIVILEGED_PORT, Positive, deep_path
from provisioning.sdk.taskservice.settings import TaskServiceSettings
from provisioning.sdk.validation import Violation

from .. import _database as database
from .._database import Default, defaults, metrics_port_apart, postgres
from .._database.postgres import LOG_LEVELS
from .._service import declare

__all__ = [
    "LOG_LEVELS",
    "POSTGRESQL",
    "BackupSettings",
    "DatabaseSettings",
    "MonitoringSettings",
    "PostgreSQLConfig",
    "ReplicationSettings",
    "UserSettings",
]

_PATH = deep_path("/var/backups/pg")


if TYPE_CHECKING:  # the type checker sees the shared shapes; pydantic, PostgreSQL's own sections
    from .._database import BackupSettings, DatabaseSettings, ReplicationSettings, UserSettings
    from .._database.postgres import MonitoringSettings
else:
    UserSettings = database.UserSettings.for_service(
        doc="A login role; its password is a secret given to the component (`passwords`), never in the "
        "config.",
        name=Default(doc="The role's name."),
        createdb=(bool, Default(False, "It may create databases.")),
    )
    DatabaseSettings = database.DatabaseSettings.for_service(
        owner=Default("postgres", "Its owner: `postgres` or one of `users`."),
    )
    ReplicationSettings = database.ReplicationSettings.for_service(
        doc="Streaming replication to hot standbys, each the Debian cluster cloned from the primary.",
    )
    BackupSettings = database.BackupSettings.for_service(
        doc="Scheduled logical backups of the primary (pg_dump, custom format) to a local folder.",
        enabled=Default(False, "Install the backup script and its cron entry on the primary."),
        storage_location=(Annotated[str, _PATH], Default("/var/backups/postgresql")),
    )
    MonitoringSettings = postgres.MonitoringSettings.for_service(
        doc="The Prometheus metrics exporter (prometheus-postgres-exporter) on every server of the cluster.",
        enabled=Default(False, "Run the exporter as a service (`postgresql-exporter`) beside each server."),
        metrics_port=Default(9187),
    )


class PostgreSQLConfig(TaskServiceSettings):
    """The stock Debian PostgreSQL cluster (`main`, run by pg_ctlcluster), with its databases and users."""

    version: Annotated[str, Matches(r"[1-9][0-9]*", "a PostgreSQL major version (15)")] = "15"
    """PostgreSQL major version; the host must offer it."""
    port: Annotated[int, UNPRIVILEGED_PORT] = 5432
    """TCP port clients connect to."""
    listen_addresses: list[str] = Field(default_factory=lambda: ["*"])
    """Addresses the server listens on: `*` (all), `localhost` or IP addresses."""
    max_connections: Annotated[int, Positive()] = 100
    """Most concurrent client connections."""
    databases: list[DatabaseSettings] = Field(default_factory=list)
    """Databases to create (never dropped)."""
    users: list[UserSettings] = Field(default_factory=list)
    """Login roles to create, each with a password in the component's `passwords`."""
    replication: ReplicationSettings = Field(default_factory=ReplicationSettings)
    """Streaming standbys."""
    backup: BackupSettings = Field(default_factory=defaults(BackupSettings))
    """Scheduled backups."""
    monitoring: MonitoringSettings = Field(default_factory=defaults(MonitoringSettings))
    """Metrics exporter."""


def addresses_valid(config: PostgreSQLConfig) -> list[Violation]:
    """listen_addresses is not empty; each is `*`, `localhost` or an IP address."""
    if not config.listen_addresses:
        return [Violation("listen_addresses", [], "listen_addresses must name at least one address ('*')")]
    found = []
    for address in config.listen_addresses:
        try:
            if address not in ("*", "localhost"):
                ipaddress.ip_address(address)
        except ValueError:
            rule = f"listen_addresses item {address!r} must be '*', 'localhost' or an IP address"
            found.append(Violation("listen_addresses", address, rule))
    return found


def names_unique_and_owners_known(config: PostgreSQLConfig) -> list[Violation]:
    """Users and databases are named once each; a database's owner is `postgres` or one of `users`."""
    found = database.repeated_names(config) + database.unknown_owners(config, "postgres")
    if any(u.name == "postgres" for u in config.users):
        found.append(
            Violation("users", "postgres", "users must not include postgres (the cluster's superuser)")
        )
    if config.replication.enabled and any(u.name == "replicator" for u in config.users):
        rule = "users must not include replicator (the replication role) when replication is enabled"
        found.append(Violation("users", "replicator", rule))
    return found


POSTGRESQL = declare(
    "PostgreSQL",
    PostgreSQLConfig,
    "database",
    (addresses_valid, names_unique_and_owners_known, metrics_port_apart),
)
"""The PostgreSQL task service."""
