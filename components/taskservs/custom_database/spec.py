"""The CustomDatabase declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:CustomDatabase` (kind "taskserv") for the component's preview-time check, the
policy pack and the extension tooling. Named by the `provisioning.taskservs` entry point.
Imports no Pulumi."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from provisioning.sdk.rules import AtLeast, InCatalog, Matches
from provisioning.sdk.taskservice.rules import UNPRIVILEGED_PORT, MemorySize, Positive, deep_path
from provisioning.sdk.taskservice.settings import SettingsModel, TaskServiceSettings
from provisioning.sdk.validation import Violation

from .. import _database as database
from .._database import Default, defaults, metrics_port_apart, postgres
from .._database.postgres import LOG_LEVELS
from .._service import declare

__all__ = [
    "CUSTOM_DATABASE",
    "LOG_LEVELS",
    "REPLICATION_MODES",
    "BackupSettings",
    "CustomDatabaseConfig",
    "MonitoringSettings",
    "ReplicationSettings",
    "SslSettings",
]

REPLICATION_MODES = ("async", "sync")
"""`replication.mode`: standbys confirm commits (sync) or not (async)."""

_PATH = deep_path("/var/lib/customdb")
_VERSION = Matches(
    r"[1-9][0-9]*(\.[0-9]+)?", "a PostgreSQL major version (15) or a major.minor release (15.18)"
)


class ReplicationSettings(SettingsModel):
    """Streaming replication to standby servers."""

    enabled: bool = False
    """Run `replicas` streaming standbys (the component's `replicas` targets)."""
    mode: Annotated[str, InCatalog(REPLICATION_MODES)] = "async"
    """async: commits never wait for standbys; sync: a commit waits until one standby has it."""
    replicas: Annotated[int, AtLeast(1)] = 1
    """How many standbys (one replica target each)."""


if TYPE_CHECKING:  # the type checker sees the shared shapes; pydantic, CustomDatabase's own sections
    from .._database import BackupSettings
    from .._database.postgres import MonitoringSettings
else:
    BackupSettings = database.BackupSettings.for_service(
        doc="Scheduled logical backups (pg_dump, custom format) to a local folder.",
        enabled=Default(True),
        storage_location=(Annotated[str, _PATH], Default("/var/backups/customdb")),
    )
    MonitoringSettings = postgres.MonitoringSettings.for_service(
        doc="The Prometheus metrics exporter (prometheus-postgres-exporter).",
        enabled=Default(True, "Run the exporter as a second service (`customdb-exporter`)."),
        metrics_port=Default(9187),
    )


class SslSettings(SettingsModel):
    """TLS for client connections."""

    enabled: bool = True
    """Serve TLS and accept remote clients over TLS only (`hostssl`)."""
    cert_file: Annotated[str, _PATH] | None = None
    """Certificate (PEM) already on the host; none: a self-signed one is generated there."""
    key_file: Annotated[str, _PATH] | None = None
    """Private key (PEM) of `cert_file`, already on the host."""


class CustomDatabaseConfig(TaskServiceSettings):
    """A PostgreSQL database server run as its own service (`customdb`), with backups, TLS and metrics."""

    version: Annotated[str, _VERSION] = "15"
    """PostgreSQL major version (15), or major.minor to pin a release (15.18); the host must offer it."""
    port: Annotated[int, UNPRIVILEGED_PORT] = 5432
    """TCP port clients connect to."""
    max_connections: Annotated[int, Positive()] = 100
    """Most concurrent client connections."""
    memory_limit: Annotated[str, MemorySize()] = "512MB"
    """Memory the server may plan for: shared_buffers is a quarter, effective_cache_size three quarters."""
    data_directory: Annotated[str, _PATH] = "/var/lib/customdb/data"
    """The cluster's data folder."""
    log_directory: Annotated[str, _PATH] = "/var/log/customdb"
    """Server log folder."""
    replication: ReplicationSettings = Field(default_factory=ReplicationSettings)
    """Streaming standbys."""
    backup: BackupSettings = Field(default_factory=defaults(BackupSettings))
    """Scheduled backups."""
    ssl: SslSettings = Field(default_factory=SslSettings)
    """TLS."""
    monitoring: MonitoringSettings = Field(default_factory=defaults(MonitoringSettings))
    """Metrics exporter."""


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def folders_apart(config: CustomDatabaseConfig) -> list[Violation]:
    """data_directory, log_directory and backup.storage_location must not contain one another (delete
    removes each)."""
    folders = {
        "data_directory": config.data_directory,
        "log_directory": config.log_directory,
        "backup.storage_location": config.backup.storage_location,
    }
    found = []
    for name, path in folders.items():
        for other, folder in folders.items():
            if name != other and _inside(path, folder):
                found.append(Violation(name, path, f"{name} {path!r} must not be inside {other} {folder!r}"))
                break
    return found


def ssl_files_together(config: CustomDatabaseConfig) -> list[Violation]:
    """ssl.cert_file and ssl.key_file are given together or not at all."""
    cert, key = config.ssl.cert_file, config.ssl.key_file
    if (cert is None) == (key is None):
        return []
    given, missing = ("ssl.cert_file", "ssl.key_file") if key is None else ("ssl.key_file", "ssl.cert_file")
    rule = f"ssl.cert_file and ssl.key_file must be given together ({given} is {cert or key!r})"
    return [Violation(missing, None, rule)]


CUSTOM_DATABASE = declare(
    "CustomDatabase",
    CustomDatabaseConfig,
    "database",
    (folders_apart, ssl_files_together, metrics_port_apart),
)
"""The CustomDatabase task service."""
