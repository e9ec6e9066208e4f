"""The PostgreSQL declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:PostgreSQL` (kind "taskserv", category "database"). Named by the
`provisioning.taskservs` entry point. Imports no Pulumi."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import Field

from provisioning.sdk.registry import Declaration, register
from provisioning.sdk.rules import AtLeast, InCatalog, Matches
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
    "LOG_LEVELS",
    "POSTGRESQL",
    "BackupSettings",
    "DatabaseSettings",
    "MonitoringSettings",
    "PostgreSQLConfig",
    "ReplicationSettings",
    "UserSettings",
]

LOG_LEVELS = ("debug", "info", "warn", "error")
"""`monitoring.log_level`: the metrics exporter's log levels."""

_PATH = deep_path("/var/backups/pg")


class UserSettings(SettingsModel):
    """A login role; its password is a secret given to the component (`passwords`), never in the config."""

    name: Annotated[str, SQL_NAME]
    """The role's name."""
    createdb: bool = False
    """It may create databases."""


class DatabaseSettings(SettingsModel):
    """A database to create."""

    name: Annotated[str, SQL_NAME]
    """The database's name."""
    owner: Annotated[str, SQL_NAME] = "postgres"
    """Its owner: `postgres` or one of `users`."""


class ReplicationSettings(SettingsModel):
    """Streaming replication to hot standbys, each the Debian cluster cloned from the primary."""

    enabled: bool = False
    """Run `replicas` streaming standbys (the component's `replicas` targets)."""
    replicas: Annotated[int, AtLeast(1)] = 1
    """How many standbys (one replica target each)."""


class BackupSettings(SettingsModel):
    """Scheduled logical backups of the primary (pg_dump, custom format) to a local folder."""

    enabled: bool = False
    """Install the backup script and its cron entry on the primary."""
    schedule: Annotated[str, CronSchedule()] = "0 2 * * *"
    """When backups run: a 5-field cron schedule (minute hour day-of-month month day-of-week)."""
    retention_days: Annotated[int, AtLeast(1)] = 7
    """Backups older than this many days are deleted after each backup."""
    storage_location: Annotated[str, _PATH] = "/var/backups/postgresql"
    """Local folder the dumps go to."""


class MonitoringSettings(SettingsModel):
    """The Prometheus metrics exporter (prometheus-postgres-exporter) on every server of the cluster."""

    enabled: bool = False
    """Run the exporter as a service (`postgresql-exporter`) beside each server."""
    metrics_port: Annotated[int, UNPRIVILEGED_PORT] = 9187
    """TCP port of the exporter's /metrics."""
    log_level: Annotated[str, InCatalog(LOG_LEVELS)] = "info"
    """The exporter's log level."""


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
    backup: BackupSettings = Field(default_factory=BackupSettings)
    """Scheduled backups."""
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
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
    users = {"postgres", *(u.name for u in config.users)}
    for database in config.databases:
        if database.owner not in users:
            rule = f"databases owner {database.owner!r} of {database.name!r} must be postgres or one of users"
            found.append(Violation("databases", database.owner, rule))
    if any(u.name == "postgres" for u in config.users):
        found.append(
            Violation("users", "postgres", "users must not include postgres (the cluster's superuser)")
        )
    if config.replication.enabled and any(u.name == "replicator" for u in config.users):
        rule = "users must not include replicator (the replication role) when replication is enabled"
        found.append(Violation("users", "replicator", rule))
    return found


def metrics_port_apart(config: PostgreSQLConfig) -> list[Violation]:
    """monitoring.metrics_port differs from port when monitoring is enabled."""
    if config.monitoring.enabled and config.monitoring.metrics_port == config.port:
        rule = f"monitoring.metrics_port must differ from port {config.port}"
        return [Violation("monitoring.metrics_port", config.port, rule)]
    return []


POSTGRESQL = register(
    Declaration(
        "provisioning:taskservs:PostgreSQL",
        PostgreSQLConfig,
        kind="taskserv",
        category="database",
        rules=(addresses_valid, names_unique_and_owners_known, metrics_port_apart),
    )
)
"""The PostgreSQL task service."""
