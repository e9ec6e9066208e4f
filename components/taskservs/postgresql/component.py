"""PostgreSQL: the task service as a Pulumi component (see docs/task-services.md).

    pg = PostgreSQL("pg", {"databases": [{"name": "app", "owner": "app"}], "users": [{"name": "app"}],
                           "replication": {"enabled": True}},
                    target=Target.server(primary, private_key),
                    passwords={"app": config.require_secret("appPassword")},
                    replicas=[Target.server(standby, private_key)],
                    replication_password=config.require_secret("replicationPassword"))

Steps on the primary: remove (armed; runs on delete), install (packages, the Debian cluster `main`),
configure (settings, authentication, backups, exporter), credentials (users and the replicator role with
their passwords on stdin, databases), health. Each replica, beside them: remove, install, then (after the
primary's health) standby (pg_basebackup from the primary, `standby.signal`), configure, health (streaming);
last, on the primary, standbys-health (it sees every standby streaming)."""

from __future__ import annotations

import functools

import pulumi
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import Step
from provisioning.sdk.taskservice.settings import ServiceMetadata
from provisioning.sdk.taskservice.target import Target
from provisioning.sdk.validation import Violation

from .._database.component import ReplicatedDatabase
from .render import Host, packages, scripts
from .spec import POSTGRESQL, PostgreSQLConfig

__all__ = ["PostgreSQL"]


class PostgreSQL(ReplicatedDatabase[PostgreSQLConfig]):
    """The stock Debian PostgreSQL cluster, with its databases and users (passwords as secrets), streaming
    standbys, backups and a metrics exporter."""

    declaration = POSTGRESQL

    def extra_violations(self, config: BaseModel) -> list[Violation]:
        """Every user has a password in `passwords`, and every password a user; as many replica targets as
        `replication.replicas`; a replication password exactly with replication."""
        assert isinstance(config, PostgreSQLConfig)
        found = self.account_violations(config)
        if config.replication.enabled and self._replication_password is None:
            rule = "replication.enabled needs replication_password=<secret> (the replicator role's password)"
            found.append(Violation("replication_password", None, rule))
        return found + self.unused_replication_password(config)

    def metadata(self, config: BaseModel) -> ServiceMetadata:
        """name, description, version, category, dependencies, supported_os, ports, data_directories."""
        assert isinstance(config, PostgreSQLConfig)
        folders: tuple[str, ...] = (f"/var/lib/postgresql/{config.version}/main",)
        folders += (config.backup.storage_location,) if config.backup.enabled else ()
        return self.database_metadata(
            config, name="postgresql", dependencies=packages(config), data_directories=folders
        )

    def steps(self, config: BaseModel, target: Target) -> list[Step]:
        """The primary's remove (armed), install, configure, credentials, health; each replica's remove and
        install, then standby, configure and health after the primary's health; the primary's
        standbys-health last."""
        assert isinstance(config, PostgreSQLConfig)
        found = scripts(config)
        secret = self.credentials(config)
        steps = [
            Step("remove", target, found["remove-armed"], None, None, delete=found["remove"]),
            Step("install", target, found["install"], "install", "install"),
            Step("configure", target, found["configure"], "configure", "configure"),
            Step("credentials", target, found["credentials"], "configure", "configure", secret=secret),
            Step("health", target, found["health"], None, None, health=True),
        ]
        for index, replica in enumerate(self._replicas):
            steps += self._replica_steps(config, target, replica, index)
        if self._replicas:
            after = tuple(f"replica-{i}-health" for i in range(len(self._replicas)))
            standbys = found["standbys-health"]
            steps.append(Step("standbys-health", target, standbys, None, None, health=True, after=after))
        return steps

    def _replica_steps(
        self, config: PostgreSQLConfig, primary: Target, replica: Target, index: int
    ) -> list[Step]:
        rendered = primary.address.apply(functools.partial(_replica_scripts, config, index))
        prefix = f"replica-{index}-"

        def part(name: str) -> pulumi.Output[str]:
            return rendered.apply(lambda found: found[name])

        remove, standby = part("remove"), part("standby")
        secret, after = self._replication_password, (prefix + "install", "health")
        return [
            Step(prefix + "remove", replica, part("remove-armed"), None, None, delete=remove, after=()),
            Step(prefix + "install", replica, part("install"), "install", "install"),
            # the clone waits for the primary (its replicator role) and this server's packages
            Step(prefix + "standby", replica, standby, "install", "install", secret=secret, after=after),
            Step(prefix + "configure", replica, part("configure"), "configure", "configure"),
            Step(prefix + "health", replica, part("health"), None, None, health=True),
        ]


def _replica_scripts(config: PostgreSQLConfig, index: int, primary_address: str) -> dict[str, str]:
    return scripts(config, Host("replica", index, primary_address))
