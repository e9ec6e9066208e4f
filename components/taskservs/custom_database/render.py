"""Everything CustomDatabase puts on a host, rendered from its templates (`templates/`): the config files
and the step scripts, for one host (the primary or a replica). Pure: no Pulumi, no host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from provisioning.sdk.taskservice.rules import memory_bytes
from provisioning.sdk.taskservice.scripts import Host, Scripts
from provisioning.sdk.taskservice.templates import TemplateLibrary

from .._database.postgres import (
    TEMPLATES as POSTGRES_TEMPLATES,
    ClusterLayout,
    cluster_files,
    replica_name as shared_replica_name,
)
from .spec import CustomDatabaseConfig

__all__ = [
    "MIN_MEMORY_MB",
    "PACKAGES",
    "PATHS",
    "Host",
    "Scripts",
    "config_files",
    "major_of",
    "pg_memory",
    "scripts",
]

TEMPLATES = TemplateLibrary(Path(__file__).with_name("templates"), POSTGRES_TEMPLATES)
"""CustomDatabase's templates with those the PostgreSQL services share and the shared step helpers."""
SERVICE = "customdb"
"""The service's name: the systemd unit `customdb.service` it writes."""
MIN_MEMORY_MB = 512
"""The host must have at least this much memory."""
PACKAGES = (
    "postgresql-{major}",
    "postgresql-client-{major}",
    "prometheus-postgres-exporter",
    "cron",
    "openssl",
    "curl",
)
"""The OS packages installed (when missing), `{major}` being the PostgreSQL major version."""
PATHS = {
    "conf_dir": "/etc/customdb",
    "conf_file": "/etc/customdb/customdb.conf",
    "hba_file": "/etc/customdb/pg_hba.conf",
    "ssl_dir": "/etc/customdb/ssl",
    "passfile": "/etc/customdb/replication.pgpass",
    "socket_dir": "/run/customdb",
    "state_dir": "/var/lib/provisioning/customdb",
    "unit_file": "/etc/systemd/system/customdb.service",
    "exporter_unit_file": "/etc/systemd/system/customdb-exporter.service",
    "backup_script": "/usr/local/sbin/customdb-backup",
    "cron_file": "/etc/cron.d/customdb-backup",
}
"""Where CustomDatabase puts its files on the host (besides the configured folders)."""


def major_of(version: str) -> str:
    """The major version of `15` or `15.18`."""
    return version.split(".")[0]


def pg_memory(size_bytes: int) -> str:
    """A PostgreSQL memory setting: the largest of TB, GB, MB, kB that divides `size_bytes` evenly."""
    kilobytes = max(size_bytes // 1024, 1)
    for unit, factor in (("TB", 1024**3), ("GB", 1024**2), ("MB", 1024)):
        if kilobytes % factor == 0:
            return f"{kilobytes // factor}{unit}"
    return f"{kilobytes}kB"


def replica_name(config: CustomDatabaseConfig, index: int) -> str:
    """A standby's application name (what `synchronous_standby_names` lists)."""
    return shared_replica_name(config.name, index)


def cluster(config: CustomDatabaseConfig) -> ClusterLayout:
    """The cluster as the shared PostgreSQL templates see it (backups, exporter, checks)."""
    return ClusterLayout(
        title=f"CustomDatabase {config.name}",
        prefix=SERVICE,
        data_directory=config.data_directory,
        socket_dir=PATHS["socket_dir"],
        port=config.port,
        log_directory=config.log_directory,
        unit=f"{SERVICE}.service",
    )


def context(config: CustomDatabaseConfig, host: Host) -> dict[str, Any]:
    """The values every template of `host` sees."""
    memory = memory_bytes(config.memory_limit)
    major = major_of(config.version)
    self_signed = config.ssl.enabled and config.ssl.cert_file is None
    return {
        "c": config,
        "pg": cluster(config),
        "host": host,
        "service": SERVICE,
        "major": major,
        "release": config.version if "." in config.version else "",
        "packages": [name.format(major=major) for name in PACKAGES],
        "min_memory_mb": MIN_MEMORY_MB,
        "memory_limit_mb": memory // 1024**2,
        "shared_buffers": pg_memory(memory // 4),
        "effective_cache_size": pg_memory(memory * 3 // 4),
        "self_signed": self_signed,
        "cert_file": f"{PATHS['ssl_dir']}/server.crt" if self_signed else config.ssl.cert_file,
        "key_file": f"{PATHS['ssl_dir']}/server.key" if self_signed else config.ssl.key_file,
        "standby": host.role == "replica",
        "live": False,
        "application_name": replica_name(config, host.index) if host.role == "replica" else config.name,
        "replica_names": [replica_name(config, i) for i in range(config.replication.replicas)],
        **PATHS,
    }


def config_files(config: CustomDatabaseConfig, host: Host) -> dict[str, str]:
    """The files the configure and install steps write, by path."""
    values = context(config, host)
    files = {
        PATHS["conf_file"]: TEMPLATES.render("customdb.conf.j2", **values),
        PATHS["hba_file"]: TEMPLATES.render("pg_hba.conf.j2", **values),
        PATHS["unit_file"]: TEMPLATES.render("customdb.service.j2", **values),
    }
    return {**files, **cluster_files(TEMPLATES, values["pg"], config.backup, config.monitoring)}


def scripts(
    config: CustomDatabaseConfig, host: Host, *, separate_replicator: bool = False
) -> dict[str, Scripts]:
    """Every step's scripts on `host`, by step: remove, version, install, configure, credentials, (standby,)
    health. `separate_replicator`: the primary's credentials step reads the `replicator` role's password on
    a second line of its stdin (else that role gets the `postgres` role's)."""
    values = context(config, host)
    files = config_files(config, host)

    def step(name: str, template: str, **extra: Any) -> str:
        return TEMPLATES.step(template, step=name, **{**values, "files": files, **extra})

    found = {
        "remove": Scripts(
            run=step("remove", "remove-armed.sh.j2"),
            update=step("remove", "remove-armed.sh.j2"),
            delete=step("remove", "remove.sh.j2"),
        ),
        "version": Scripts(run=step("version", "version.sh.j2"), update=step("version", "update.sh.j2")),
        "install": Scripts(run=step("install", "install.sh.j2")),
        "credentials": Scripts(
            run=step("credentials", "credentials.sh.j2", separate_replicator=separate_replicator)
        ),
        "configure": Scripts(run=step("configure", "configure.sh.j2")),
        "health": Scripts(run=step("health", "health.sh.j2")),
    }
    if host.role == "replica":
        found["standby"] = Scripts(run=step("standby", "standby.sh.j2"))
    return found
