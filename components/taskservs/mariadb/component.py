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
from typing import Any

import pulumi
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import Step
from provisioning.sdk.taskservice.settings import ServiceMetadata
from provisioning.sdk.taskservice.target import Target
from provisioning.sdk.validation import Violation

from .._database.component import ReplicatedDatabase, Server, each_host
from .render import PATHS, Host, packages, scripts
from .spec import MARIADB, MariaDBConfig

__all__ = ["MariaDB"]


class MariaDB(ReplicatedDatabase[MariaDBConfig]):
    """MariaDB from the OS packages as the service `mariadb`, with accounts, databases, read-only replicas,
    backups and metrics."""

    declaration = MARIADB

    def extra_violations(self, config: BaseModel) -> list[Violation]:
        """Every user has a password and every password a user; as many replica targets as
        `replication.replicas` asks for; a replication password with replication."""
        assert isinstance(config, MariaDBConfig)
        found = self.account_violations(config)
        if config.replication.enabled and self._replication_password is None:
            rule = "replication.enabled needs replication_password=<secret> (the replicator's password)"
            found.append(Violation("replication.enabled", True, rule))
        return found

    def metadata(self, config: BaseModel) -> ServiceMetadata:
        """name, description, version, category, dependencies, supported_os, ports, data_directories."""
        assert isinstance(config, MariaDBConfig)
        return self.database_metadata(
            config,
            name="mariadb",
            dependencies=packages(config),
            data_directories=(PATHS["data_dir"], config.backup.storage_location),
        )

    def steps(self, config: BaseModel, target: Target) -> list[Step]:
        """The primary's steps, then each replica's (its standby after the primary is healthy)."""
        assert isinstance(config, MariaDBConfig)
        found: list[Step] = []
        for server in each_host(Host, target, self._replicas):
            secret = self._replication_password if server.prefix else self.credentials(config)
            found += self._host_steps(config, server, secret)
        return found

    def _host_steps(
        self, config: MariaDBConfig, server: Server[Host], secret: pulumi.Output[str] | None
    ) -> list[Step]:
        target, prefix = server.target, server.prefix
        script = server.scripts(functools.partial(scripts, config))

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
