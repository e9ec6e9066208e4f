"""Where one PostgreSQL cluster lives on its host (`ClusterLayout`) and the files the shared templates
(`templates/postgres/`) render for it: the backup script and its cron entry, the metrics exporter's systemd
unit; a standby's application name. Pure: no Pulumi, no host."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "TEMPLATES",
    "BackupPlan",
    "ClusterLayout",
    "MetricsPlan",
    "cluster_files",
    "replica_name",
]

TEMPLATES = Path(__file__).with_name("templates")
"""The shared templates, under `postgres/` (add it to a service's `TemplateLibrary`)."""


class BackupPlan(Protocol):
    """A config's `backup` section."""

    enabled: bool
    schedule: str
    retention_days: int
    storage_location: str


class MetricsPlan(Protocol):
    """A config's `monitoring` section."""

    enabled: bool
    metrics_port: int
    log_level: str


@dataclass(frozen=True)
class ClusterLayout:
    """One PostgreSQL cluster on a host, as the shared templates see it."""

    title: str
    """What names it in comments (`CustomDatabase db`)."""
    prefix: str
    """Names its backup script, dumps and exporter service (`customdb`: `customdb-backup`)."""
    data_directory: str
    """Its data folder (PG_VERSION there names the major version)."""
    socket_dir: str
    """The folder of its Unix socket."""
    port: int
    """Its port."""
    log_directory: str
    """Where the backup log goes."""
    unit: str
    """The systemd unit the exporter's unit starts after."""

    @property
    def backup_script(self) -> str:
        """The backup script."""
        return f"/usr/local/sbin/{self.prefix}-backup"

    @property
    def cron_file(self) -> str:
        """The backup's cron entry."""
        return f"/etc/cron.d/{self.prefix}-backup"

    @property
    def exporter(self) -> str:
        """The exporter's service name."""
        return f"{self.prefix}-exporter"

    @property
    def exporter_unit_file(self) -> str:
        """The exporter's systemd unit."""
        return f"/etc/systemd/system/{self.exporter}.service"


def cluster_files(
    library: Any, cluster: ClusterLayout, backup: BackupPlan | None, monitoring: MetricsPlan | None
) -> dict[str, str]:
    """Path → content of the backup script and cron entry (with `backup.enabled`) and of the exporter's
    systemd unit (with `monitoring.enabled`), rendered by `library` (a `TemplateLibrary` that has
    `TEMPLATES`)."""
    values = {"pg": cluster, "backup": backup, "monitoring": monitoring}
    files = {}
    if backup is not None and backup.enabled:
        files[cluster.backup_script] = library.render("postgres/backup.sh.j2", **values)
        files[cluster.cron_file] = library.render("postgres/backup.cron.j2", **values)
    if monitoring is not None and monitoring.enabled:
        files[cluster.exporter_unit_file] = library.render("postgres/exporter.service.j2", **values)
    return files


def replica_name(name: str, index: int) -> str:
    """A standby's application name (`pg_stat_replication`, `synchronous_standby_names`)."""
    return f"{name.replace('-', '_')}_replica_{index}"
