"""The component plumbing the database services share: their one constructor (passwords by account,
replica targets, the replication password) with the rules on its arguments (`PasswordDatabase`, the base of
all three), the credentials step's stdin and the `replica_endpoints` output of those with login accounts
(MariaDB, PostgreSQL: `ReplicatedDatabase`); and each server of a service with its `Host` and its steps'
prefix."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, Literal, NamedTuple, Protocol, Required, TypedDict, TypeVar

import pulumi
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import TaskService
from provisioning.sdk.taskservice.credentials import (
    credentials_input,
    password_violations,
    replica_violations,
)
from provisioning.sdk.taskservice.settings import ServiceMetadata
from provisioning.sdk.taskservice.target import Target
from provisioning.sdk.validation import Violation

from .._service import metadata_of
from .settings import MonitoringSettings, UserSettings

__all__ = ["DatabaseArguments", "PasswordDatabase", "ReplicatedDatabase", "Server", "each_host"]

Config = TypeVar("Config", bound=BaseModel)
Host = TypeVar("Host")
Script = TypeVar("Script")
Role = Literal["primary", "replica"]


class _Replication(Protocol):
    @property
    def enabled(self) -> bool: ...
    @property
    def replicas(self) -> int: ...


class _Database(Protocol):
    """What the shared plumbing reads of a database service's config."""

    @property
    def version(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def monitoring(self) -> MonitoringSettings: ...
    @property
    def replication(self) -> _Replication: ...


class _Replicated(_Database, Protocol):
    @property
    def users(self) -> Sequence[UserSettings]: ...


class DatabaseArguments(TypedDict, total=False):
    """The keyword arguments of `PasswordDatabase` (a subclass that takes more passes these on)."""

    target: Required[Target]
    passwords: Mapping[str, pulumi.Input[str]] | None
    replicas: Sequence[Target]
    replication_password: pulumi.Input[str] | None
    opts: pulumi.ResourceOptions | None


class PasswordDatabase(TaskService, Generic[Config]):
    """Base of the database services: the constructor they share (passwords by account, replica targets,
    the replication password) and the rules on its arguments."""

    def __init__(
        self,
        resource_name: str,
        config: Config | Mapping[str, Any] | None = None,
        *,
        target: Target,
        passwords: Mapping[str, pulumi.Input[str]] | None = None,
        replicas: Sequence[Target] = (),
        replication_password: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`config`: the fields of the service's config model (checked before anything is registered);
        `target`: the primary's server; `passwords`: each account's password (secrets), by account name;
        `replicas`: one target per `replication.replicas`; `replication_password`: the `replicator`
        account's password (a secret), with replication."""
        self._passwords = dict(passwords or {})
        self._replicas = tuple(replicas)
        self._replication_password = (
            None if replication_password is None else pulumi.Output.secret(replication_password)
        )
        super().__init__(resource_name, config, target=target, opts=opts)

    def database_metadata(
        self,
        config: _Database,
        *,
        name: str,
        dependencies: Iterable[str],
        data_directories: Iterable[str],
    ) -> ServiceMetadata:
        """The `service_metadata` of a database service: its port, and its exporter's with monitoring."""
        ports = [config.port] + ([config.monitoring.metrics_port] if config.monitoring.enabled else [])
        return metadata_of(
            self.declaration,
            config,
            name=name,
            dependencies=dependencies,
            ports=ports,
            data_directories=data_directories,
        )

    def target_violations(self, config: _Database) -> list[Violation]:
        """As many replica targets as `replication.replicas`, and none without replication."""
        replication = config.replication
        return replica_violations(replication.enabled, replication.replicas, len(self._replicas))

    def unused_replication_password(self, config: _Database) -> list[Violation]:
        """No replication password without replication."""
        if self._replication_password is not None and not config.replication.enabled:
            rule = "replication_password was given but replication.enabled is false"
            return [Violation("replication_password", "[secret]", rule)]
        return []


class ReplicatedDatabase(PasswordDatabase[Config]):
    """Base of the database services with login accounts and read-only replicas: the rules on the
    passwords, the credentials step's stdin and `replica_endpoints`."""

    replica_endpoints: pulumi.Output[list[str]]
    """Where clients reach each read-only replica (`address:port`), in the order of `replicas`."""

    def account_violations(self, config: _Replicated) -> list[Violation]:
        """Every user has a password in `passwords`, and every password a user; as many replica targets as
        `replication.replicas`."""
        found = password_violations([user.name for user in config.users], self._passwords)
        return found + self.target_violations(config)

    def credentials(self, config: _Replicated) -> pulumi.Output[str]:
        """The credentials step's stdin, a secret: each user's password, and the `replicator` account's
        with replication."""
        names = sorted(self._passwords)
        secrets: list[pulumi.Input[str]] = [self._passwords[name] for name in names]
        if config.replication.enabled and self._replication_password is not None:
            names.append("replicator")
            secrets.append(self._replication_password)
        values: pulumi.Output[list[Any]] = pulumi.Output.all(*secrets)
        text = values.apply(lambda found: credentials_input(dict(zip(names, found, strict=True))))
        return pulumi.Output.secret(text)

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


class Server(NamedTuple, Generic[Host]):
    """One server of a service: its target, itself as the scripts see it, its steps' name prefix."""

    target: Target
    """Where its steps run."""
    host: pulumi.Output[Host]
    """Itself as the scripts see it, once its address (and its primary's) is known."""
    prefix: str
    """Its steps' name prefix: none for the primary, `replica-<index>-` for a replica."""

    def scripts(
        self, render: Callable[[Host], Mapping[str, Script]]
    ) -> Callable[[str], pulumi.Output[Script]]:
        """Each of its scripts by name, from what `render` makes of it."""
        rendered = self.host.apply(render)

        def script(name: str) -> pulumi.Output[Script]:
            return rendered.apply(lambda found: found[name])

        return script


def each_host(
    host: Callable[[str, Role, int, str | None], Host], primary: Target, replicas: Sequence[Target]
) -> list[Server[Host]]:
    """Each server with itself as the scripts see it (made by `host` from its address, role, index and
    primary address once they are known) and its steps' name prefix: the primary (no prefix), then each
    replica (`replica-<index>-`)."""

    def replica(index: int, addresses: list[str]) -> Host:
        return host(addresses[0], "replica", index, addresses[1])

    found = [Server(primary, primary.address.apply(lambda address: host(address, "primary", 0, None)), "")]
    for index, target in enumerate(replicas):
        addresses = pulumi.Output.all(target.address, primary.address)
        found.append(Server(target, addresses.apply(functools.partial(replica, index)), f"replica-{index}-"))
    return found
