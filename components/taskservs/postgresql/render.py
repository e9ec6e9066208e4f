"""Everything PostgreSQL puts on a host, rendered from its templates (`templates/`, and those the PostgreSQL
services share): its config files and step scripts, for the primary or a standby. Pure: no Pulumi, no
host."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from provisioning.sdk.taskservice.templates import TemplateLibrary

from .._database.postgres import TEMPLATES as POSTGRES_TEMPLATES, ClusterLayout, cluster_files, replica_name
from .spec import PostgreSQLConfig

__all__ = [
    "PRIMARY",
    "SERVICE",
    "Host",
    "cluster",
    "conf_dir",
    "config_files",
    "packages",
    "passfile",
    "scripts",
]

TEMPLATES = TemplateLibrary(Path(__file__).with_name("templates"), POSTGRES_TEMPLATES)
"""PostgreSQL's templates with those the PostgreSQL services share and the shared step helpers."""
SERVICE = "postgresql"
"""Names its exporter and backups; the cluster runs as Debian's systemd unit `postgresql@MAJOR-main`."""
STATE_DIR = "/var/lib/provisioning/postgresql"
"""What the task service remembers on the host (packages it installed, the cluster it created)."""
SOCKET_DIR = "/var/run/postgresql"
"""The Debian cluster's socket folder."""


@dataclass(frozen=True)
class Host:
    """One server of the cluster as the scripts see it."""

    role: Literal["primary", "replica"] = "primary"
    """The primary, or a streaming standby."""
    index: int = 0
    """The replica's number (0 for the first)."""
    primary_address: str | None = None
    """A replica's primary."""


PRIMARY = Host()
"""The primary."""


def packages(config: PostgreSQLConfig) -> tuple[str, ...]:
    """The OS packages it installs when missing (besides postgresql-common): the server, the client, and the
    exporter and curl with monitoring, cron with backups."""
    found: tuple[str, ...] = (f"postgresql-{config.version}", f"postgresql-client-{config.version}")
    found += ("prometheus-postgres-exporter", "curl") if config.monitoring.enabled else ()
    return found + (("cron",) if config.backup.enabled else ())


def conf_dir(config: PostgreSQLConfig) -> str:
    """The cluster's config folder."""
    return f"/etc/postgresql/{config.version}/main"


def passfile(config: PostgreSQLConfig) -> str:
    """A standby's 0600 passfile of its replication connection (the only place a password is kept)."""
    return f"{conf_dir(config)}/replication.pgpass"


def cluster(config: PostgreSQLConfig) -> ClusterLayout:
    """The cluster as the shared PostgreSQL templates see it (backups, exporter, checks)."""
    return ClusterLayout(
        title=f"PostgreSQL {config.name}",
        prefix=SERVICE,
        data_directory=f"/var/lib/postgresql/{config.version}/main",
        socket_dir=SOCKET_DIR,
        port=config.port,
        log_directory="/var/log/postgresql",
        unit=f"postgresql@{config.version}-main.service",
    )


def _conninfo(config: PostgreSQLConfig, host: Host) -> str:
    return (
        f"host={host.primary_address} port={config.port} user=replicator passfile={passfile(config)} "
        f"application_name={replica_name(config.name, host.index)} sslmode=prefer"
    )


def config_files(config: PostgreSQLConfig, host: Host = PRIMARY) -> dict[str, str]:
    """Path → content of the files the configure step writes on `host`: `conf.d/provisioning.conf`,
    `pg_hba.conf`, and (primary) the backup script and cron entry, the exporter's systemd unit."""
    values = {"c": config, "standby": host.role == "replica", "conninfo": _conninfo(config, host)}
    files = {
        f"{conf_dir(config)}/conf.d/provisioning.conf": TEMPLATES.render("provisioning.conf.j2", **values),
        f"{conf_dir(config)}/pg_hba.conf": TEMPLATES.render("pg_hba.conf.j2", **values),
    }
    backup = config.backup if host.role == "primary" else None
    return {**files, **cluster_files(TEMPLATES, cluster(config), backup, config.monitoring)}


def _values(config: PostgreSQLConfig, step: str, host: Host) -> dict[str, object]:
    """Only what each step needs, so that a change reruns only the steps it concerns."""
    values: dict[str, object] = {"major": config.version, "state_dir": STATE_DIR}
    if step in ("configure", "health", "standby", "standbys-health"):
        values.update(c=config, host=host, pg=cluster(config), conf_dir=conf_dir(config))
        values.update(standby=host.role == "replica", passfile=passfile(config))
    if step == "configure":
        values["files"] = config_files(config, host)
    elif step == "install":
        values["packages"] = packages(config)
    elif step == "standbys-health":
        values["names"] = [replica_name(config.name, i) for i in range(config.replication.replicas)]
    elif step in ("credentials", "remove"):
        values["c"] = config
        values["pg"] = cluster(config)
    return values


def scripts(config: PostgreSQLConfig, host: Host = PRIMARY) -> dict[str, str]:
    """Each step's script on `host` by name: remove (the remove step's delete script), remove-armed (its
    run), install, configure, health; the primary's credentials (and standbys-health with replication),
    a standby's standby."""
    steps = ["remove", "install", "configure", "health"]
    if host.role == "replica":
        steps.append("standby")
    else:
        steps.append("credentials")
        if config.replication.enabled:
            steps.append("standbys-health")
    found = {
        step: TEMPLATES.step(f"{step}.sh.j2", step=step, service=SERVICE, **_values(config, step, host))
        for step in steps
    }
    found["remove-armed"] = TEMPLATES.step(
        "remove-armed.sh.j2", step="remove", service=SERVICE, keep_data=config.keep_data
    )
    return found
