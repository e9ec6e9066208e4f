"""MariaDB: the task service as a Pulumi component (see docs/task-services.md).

    db = MariaDB("db", {"users": [{"name": "app"}], "databases": [{"name": "shop", "owner": "app"}],
                        "replication": {"enabled": True}},
                 target=Target.server(primary, private_key), replicas=[Target.server(replica, private_key)],
                 passwords={"app": config.require_secret("appPassword")},
                 replication_password=config.require_secret("replicationPassword"))

Steps on the primary: remove (armed; runs on delete), install (packages, mariadb-install-db), configure,
credentials (accounts with their passwords on stdin, databases), health. Each replica runs remove, install
and configure beside the primary, then, once the primary is healthy, standby (a copy of the primary's
databases, then GTID replication), credentials (the exporter's local account) and health."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import Step, TaskService
from provisioning.sdk.taskservice.credentials import (
    credentials_input,
    password_violations,
    replica_violations,
)
from provisioning.sdk.taskservice.settings import ServiceMetadata
from provisioning.sdk.taskservice.target import Target
from provisioning.sdk.validation import Violation

from .render import PATHS, Host, packages, scripts
from .spec import MARIADB, MariaDBConfig

__all__ = ["MariaDB"]


class MariaDB(TaskService):
    """MariaDB from the OS packages as the service `mariadb`, with accounts, databases, read-only replicas,
    backups and metrics."""

    declaration = MARIADB

    replica_endpoints: pulumi.Output[list[str]]
    """Where clients reach each read-only replica (`address:port`), in the order of `replicas`."""

    def __init__(
        self,
        resource_name: str,
        config: MariaDBConfig | Mapping[str, Any] | None = None,
        *,
        target: Target,
        passwords: Mapping[str, pulumi.Input[str]] | None = None,
        replicas: Sequence[Target] = (),
        replication_password: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`config`: the fields of `MariaDBConfig` (checked before anything is registered); `target`: the
        primary's server; `passwords`: each user's password (secrets), by user name; `replicas`: one
        target per `replication.replicas`; `replication_password`: the `replicator` account's password
        (a secret; needed with replication)."""
        self._passwords = dict(passwords or {})
        self._replicas = tuple(replicas)
        self._replication_password = replication_password
        super().__init__(resource_name, config, target=target, opts=opts)

    def extra_violations(self, config: BaseModel) -> list[Violation]:
        """Every user has a password and every password a user; as many replica targets as
        `replication.replicas` asks for; a replication password with replication."""
        assert isinstance(config, MariaDBConfig)
        found = password_violations([u.name for u in config.users], self._passwords)
        replication = config.replication
        found += replica_violations(replication.enabled, replication.replicas, len(self._replicas))
        if replication.enabled and self._replication_password is None:
            rule = "replication.enabled needs replication_password=<secret> (the replicator's password)"
            found.append(Violation("replication.enabled", True, rule))
        return found

    def metadata(self, config: BaseModel) -> ServiceMetadata:
        """name, description, version, category, dependencies, supported_os, ports, data_directories."""
        assert isinstance(config, MariaDBConfig)
        ports = [config.port] + ([config.monitoring.metrics_port] if config.monitoring.enabled else [])
        return ServiceMetadata(
            name="mariadb",
            description=MARIADB.description,
            version=config.version,
            category=MARIADB.category or "database",
            dependencies=tuple(packages(config)),
            supported_os=("debian", "ubuntu"),
            ports=tuple(ports),
            data_directories=(PATHS["data_dir"], config.backup.storage_location),
        )

    def endpoint_of(self, config: Any, target: Target) -> pulumi.Output[str]:
        """`address:port` of the primary; the replicas' go to `replica_endpoints`."""
        port = config.port
        self.replica_endpoints = pulumi.Output.all(*(r.address for r in self._replicas)).apply(
            lambda addresses: [f"{address}:{port}" for address in addresses]
        )
        return super().endpoint_of(config, target)

    def register_outputs(self, outputs: Mapping[str, Any]) -> None:
        """The task service's outputs and `replica_endpoints`."""
        super().register_outputs({**outputs, "replica_endpoints": self.replica_endpoints})

    def steps(self, config: BaseModel, target: Target) -> list[Step]:
        """The primary's steps, then each replica's (its standby after the primary is healthy)."""
        assert isinstance(config, MariaDBConfig)
        names = sorted(self._passwords)
        secrets: list[pulumi.Input[str]] = [self._passwords[name] for name in names]
        if config.replication.enabled and self._replication_password is not None:
            names.append("replicator")
            secrets.append(self._replication_password)
        values: pulumi.Output[list[Any]] = pulumi.Output.all(*secrets)
        text = values.apply(lambda found: credentials_input(dict(zip(names, found, strict=True))))
        primary = self._host_steps(config, target, target.address.apply(Host), "", pulumi.Output.secret(text))
        found = list(primary)
        replication = (
            None if self._replication_password is None else pulumi.Output.secret(self._replication_password)
        )
        for index, replica in enumerate(self._replicas):
            host = pulumi.Output.all(replica.address, target.address).apply(
                functools.partial(_replica_host, index)
            )
            found += self._host_steps(config, replica, host, f"replica-{index}-", replication)
        return found

    def _host_steps(
        self,
        config: MariaDBConfig,
        target: Target,
        host: pulumi.Output[Host],
        prefix: str,
        secret: pulumi.Output[str] | None,
    ) -> list[Step]:
        rendered = host.apply(lambda h: scripts(config, h))

        def script(name: str) -> pulumi.Output[str]:
            return rendered.apply(lambda s: s[name])

        def step(name: str, *after: str, **kwargs: Any) -> Step:
            return Step(prefix + name, target, script(name), after=tuple(prefix + a for a in after), **kwargs)

        remove = Step(prefix + "remove", target, script("remove-armed"), None, None, delete=script("remove"),
                      after=() if prefix else None)  # fmt: skip
        found = [
            remove,
            step("install", "remove", **_INSTALL),
            step("configure", "install", **_CONFIGURE),
        ]
        if prefix:
            # a replica's copy is taken once the primary is healthy
            standby = Step(prefix + "standby", target, script("standby"), secret=secret, **_INSTALL,
                           after=(prefix + "configure", "health"))  # fmt: skip
            found.append(standby)
            found.append(step("credentials", "standby", **_CONFIGURE))
        else:
            found.append(step("credentials", "configure", secret=secret, **_CONFIGURE))
        found.append(step("health", "credentials", first=None, again=None, health=True))
        return found


_INSTALL: dict[str, Any] = {"first": "install", "again": "install"}
_CONFIGURE: dict[str, Any] = {"first": "configure", "again": "configure"}


def _replica_host(index: int, addresses: list[str]) -> Host:
    return Host(addresses[0], "replica", index, addresses[1])
