"""CustomDatabase: the task service as a Pulumi component (see docs/task-services.md).

    db = CustomDatabase("db", {"max_connections": 200}, target=Target.server(server, private_key),
                        admin_password=config.require_secret("dbPassword"))

Steps on the primary: remove (armed; runs on delete), version (packages; its reruns are the update),
install, configure, credentials, health; each replica then runs remove, version, install, credentials,
standby (pg_basebackup from the primary), configure and health."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import Step, TaskService
from provisioning.sdk.taskservice.credentials import replica_violations
from provisioning.sdk.taskservice.settings import Category, ServiceMetadata
from provisioning.sdk.taskservice.target import Target
from provisioning.sdk.validation import Violation

from .._database.component import each_host
from .render import PACKAGES, Host, Scripts, major_of, scripts
from .spec import CUSTOM_DATABASE, CustomDatabaseConfig

__all__ = ["CustomDatabase"]


class CustomDatabase(TaskService):
    """PostgreSQL from the OS packages as the service `customdb`, with TLS, backups, metrics and standbys."""

    declaration = CUSTOM_DATABASE

    def __init__(
        self,
        resource_name: str,
        config: CustomDatabaseConfig | Mapping[str, Any] | None = None,
        *,
        target: Target,
        admin_password: pulumi.Input[str],
        replicas: Sequence[Target] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`config`: the fields of `CustomDatabaseConfig` (checked before anything is registered);
        `target`: the primary's server; `admin_password`: the `postgres` role's password (a secret; also the
        `replicator` role's with replication); `replicas`: one target per `replication.replicas`."""
        self._admin_password = pulumi.Output.secret(admin_password)
        self._replicas = tuple(replicas)
        super().__init__(resource_name, config, target=target, opts=opts)

    def extra_violations(self, config: BaseModel) -> list[Violation]:
        """As many replica targets as `replication.replicas` asks for, and none without replication."""
        assert isinstance(config, CustomDatabaseConfig)
        replication = config.replication
        return replica_violations(replication.enabled, replication.replicas, len(self._replicas))

    def metadata(self, config: BaseModel) -> ServiceMetadata:
        """name, description, version, category, dependencies, supported_os, ports, data_directories."""
        assert isinstance(config, CustomDatabaseConfig)
        ports = [config.port] + ([config.monitoring.metrics_port] if config.monitoring.enabled else [])
        return ServiceMetadata(
            name="custom-database",
            description=CUSTOM_DATABASE.description,
            version=config.version,
            category=CUSTOM_DATABASE.category or "database",
            dependencies=tuple(name.format(major=major_of(config.version)) for name in PACKAGES),
            supported_os=("debian", "ubuntu"),
            ports=tuple(ports),
            data_directories=(config.data_directory, config.backup.storage_location),
        )

    def steps(self, config: BaseModel, target: Target) -> list[Step]:
        """The primary's steps, then each replica's (after the primary is healthy)."""
        assert isinstance(config, CustomDatabaseConfig)
        found: list[Step] = []
        for server, host, prefix in each_host(Host, target, self._replicas):
            found += self._host_steps(config, server, host, prefix)
        return found

    def _host_steps(
        self, config: CustomDatabaseConfig, target: Target, host: pulumi.Output[Host], prefix: str
    ) -> list[Step]:
        rendered = host.apply(lambda h: scripts(config, h))

        def part(step: str, kind: str) -> pulumi.Output[str]:
            return rendered.apply(lambda s: _script(s[step], kind))

        def make(name: str, first: Any, again: Any, **kwargs: Any) -> Step:
            delete = part(name, "delete") if name == "remove" else None
            update = part(name, "update") if name in ("version", "remove") else None
            return Step(prefix + name, target, part(name, "run"), first, again, update, delete, **kwargs)

        order = ["remove", "version", "install"]
        order += ["credentials", "standby", "configure"] if prefix else ["configure", "credentials"]
        categories: dict[str, tuple[Category | None, Category | None]] = {
            "remove": (None, None),
            "version": ("install", "update"),
            "install": ("install", "install"),
            "standby": ("install", "install"),
            "configure": ("configure", "configure"),
            "credentials": ("configure", "configure"),
        }
        steps = []
        for name in order:
            secret = self._admin_password if name == "credentials" else None
            steps.append(make(name, *categories[name], secret=secret))
        steps.append(make("health", None, None, secret=self._admin_password, health=True))
        return steps


def _script(found: Scripts, kind: str) -> str:
    value = getattr(found, kind)
    if value is None:
        raise ValueError(f"no {kind} script")
    return str(value)
