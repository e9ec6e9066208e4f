"""Everything MariaDB puts on a host, rendered from its templates (`templates/`): the config files and the
step scripts, for one host (the primary or a replica). Pure: no Pulumi, no host."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provisioning.sdk.taskservice.scripts import Host as ServerHost
from provisioning.sdk.taskservice.templates import TemplateLibrary

from .spec import MariaDBConfig

__all__ = ["PATHS", "SERVICE", "STEPS", "Host", "config_files", "packages", "scripts"]

TEMPLATES = TemplateLibrary(Path(__file__).with_name("templates"))
"""MariaDB's templates with the shared step helpers."""
SERVICE = "mariadb"
"""The service's name: the systemd unit `mariadb.service` it writes (in place of Debian's)."""
EXPORTER = "mariadb-exporter"
"""The metrics exporter's service name: the systemd unit `mariadb-exporter.service` it writes."""
PATHS = {
    "conf_dir": "/etc/mariadb",
    "conf_file": "/etc/mariadb/my.cnf",
    "exporter_cnf": "/etc/mariadb/exporter.cnf",
    "data_dir": "/var/lib/mariadb/data",
    "log_dir": "/var/log/mariadb",
    "run_dir": "/run/mariadb",
    "socket": "/run/mariadb/mariadb.sock",
    "state_dir": "/var/lib/provisioning/mariadb",
    "unit_file": "/etc/systemd/system/mariadb.service",
    "exporter_unit_file": "/etc/systemd/system/mariadb-exporter.service",
    "backup_script": "/usr/local/sbin/mariadb-backup-provisioning",
    "cron_file": "/etc/cron.d/mariadb-backup",
}
"""Where MariaDB puts its files on the host (besides `backup.storage_location`)."""
STEPS = ("remove", "install", "configure", "standby", "credentials", "health")
"""The steps of a host, in order (`standby` on replicas only)."""


@dataclass(frozen=True)
class Host(ServerHost):
    """One server of the database as the scripts see it (a replica is read-only)."""

    @property
    def server_id(self) -> int:
        """Its replication server_id: 1 for the primary, 2 + index for replicas."""
        return 1 if self.role == "primary" else 2 + self.index


def packages(config: MariaDBConfig) -> list[str]:
    """The OS packages installed when missing."""
    found = ["mariadb-server", "mariadb-client"]
    if config.monitoring.enabled:
        found.append("prometheus-mysqld-exporter")
    if config.backup.enabled:
        found.append("cron")
    return found


def context(config: MariaDBConfig, host: Host) -> dict[str, Any]:
    """The values every template of `host` sees."""
    return {
        "c": config,
        "host": host,
        "replica": host.role == "replica",
        "service": SERVICE,
        "exporter": EXPORTER,
        "packages": packages(config),
        **PATHS,
    }


def config_files(config: MariaDBConfig, host: Host) -> dict[str, str]:
    """The files the install and configure steps write, by path."""
    values = context(config, host)
    files = {
        PATHS["conf_file"]: TEMPLATES.render("my.cnf.j2", **values),
        PATHS["unit_file"]: TEMPLATES.render("mariadb.service.j2", **values),
    }
    if config.backup.enabled:
        files[PATHS["backup_script"]] = TEMPLATES.render("backup.sh.j2", **values)
        files[PATHS["cron_file"]] = TEMPLATES.render("backup.cron.j2", **values)
    if config.monitoring.enabled:
        files[PATHS["exporter_unit_file"]] = TEMPLATES.render("exporter.service.j2", **values)
    return files


def _values(config: MariaDBConfig, host: Host, step: str) -> dict[str, Any]:
    """Only what each step needs, so that a change reruns only the steps it concerns."""
    values = context(config, host)
    files = config_files(config, host)
    if step == "install":
        values["files"] = {PATHS["unit_file"]: files[PATHS["unit_file"]]}
    elif step == "configure":
        values["files"] = files
    return values


def scripts(config: MariaDBConfig, host: Host) -> dict[str, str]:
    """Each step's script on `host` by name: `remove` is the remove step's delete script, `remove-armed`
    its run; `standby` only on replicas."""
    found = {
        step: TEMPLATES.step(f"{step}.sh.j2", step=step, **_values(config, host, step))
        for step in STEPS
        if step != "standby" or host.role == "replica"
    }
    found["remove-armed"] = TEMPLATES.step("remove-armed.sh.j2", step="remove", **context(config, host))
    return found
