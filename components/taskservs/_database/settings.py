"""The config sections every database service declares, as shapes: each field's type, rule and the doc the
services share. A service's own sections are these with its defaults and words (`Section.for_service`).
Imports no Pulumi."""

from __future__ import annotations

from typing import Annotated

from provisioning.sdk.rules import AtLeast
from provisioning.sdk.taskservice.rules import SQL_NAME, UNPRIVILEGED_PORT, CronSchedule

from .section import Section

__all__ = [
    "BackupSettings",
    "DatabaseSettings",
    "MonitoringSettings",
    "ReplicationSettings",
    "UserSettings",
]


class UserSettings(Section):
    """A login account; its password is a secret given to the component (`passwords`)."""

    name: Annotated[str, SQL_NAME]
    """The account's name."""


class DatabaseSettings(Section):
    """A database to create."""

    name: Annotated[str, SQL_NAME]
    """The database's name."""
    owner: Annotated[str, SQL_NAME]
    """Its owner: the server's superuser or one of `users`."""


class ReplicationSettings(Section):
    """Read-only replicas of the primary."""

    enabled: bool = False
    """Run `replicas` streaming standbys (the component's `replicas` targets)."""
    replicas: Annotated[int, AtLeast(1)] = 1
    """How many standbys (one replica target each)."""


class BackupSettings(Section):
    """Scheduled logical backups to a local folder."""

    enabled: bool = False
    """Install the backup script and its cron entry."""
    schedule: Annotated[str, CronSchedule()] = "0 2 * * *"
    """When backups run: a 5-field cron schedule (minute hour day-of-month month day-of-week)."""
    retention_days: Annotated[int, AtLeast(1)] = 7
    """Backups older than this many days are deleted after each backup."""
    storage_location: str
    """Local folder the dumps go to."""


class MonitoringSettings(Section):
    """The Prometheus metrics exporter."""

    enabled: bool = False
    """Run the exporter as a service beside the server."""
    metrics_port: Annotated[int, UNPRIVILEGED_PORT]
    """TCP port of the exporter's /metrics."""
