"""CustomDatabase: the task service as a Pulumi component (see docs/task-services.md).

    db = CustomDatabase("db", {"max_connections": 200}, target=Target.server(server, private_key),
                        passwords={"postgres": config.require_secret("dbPassword")})

Steps on the primary: remove (armed; runs on delete), version (packages; its reruns are the update),
install, configure, credentials, health; each replica then runs remove, version, install, credentials,
standby (pg_basebackup from the primary), configure and health."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping
from typing import Any, Unpack

import pulumi
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import Step
from provisioning.sdk.taskservice.settings import Category, ServiceMetadata
from provisioning.sdk.taskservice.target import Target
from provisioning.sdk.validation import Violation

from .._database.component import DatabaseArguments, PasswordDatabase, Server, each_host
from .render import PACKAGES, Host, Scripts, major_of, scripts
from .spec import CUSTOM_DATABASE, CustomDatabaseConfig

__all__ = ["CustomDatabase"]

SUPERUSER = "postgres"
"""The one account whose password CustomDatabase takes (`passwords`)."""


class CustomDatabase(PasswordDatabase[CustomDatabaseConfig]):
    """PostgreSQL from the OS packages as the service `customdb`, with TLS, backups, metrics and standbys."""

    declaration = CUSTOM_DATABASE

    def __init__(
        self,
        resource_name: str,
        config: CustomDatabaseConfig | Mapping[str, Any] | None = None,
        *,
        admin_password: pulumi.Input[str] | None = None,
        **arguments: Unpack[DatabaseArguments],
    ) -> None:
        """`config`: the fields of `CustomDatabaseConfig` (checked before anything is registered);
        `target`: the primary's server; `passwords`: `{"postgres": <secret>}`, the `postgres` role's
        password; `replicas`: one target per `replication.replicas`; `replication_password`: the
        `replicator` role's password (a secret) with replication, by default the `postgres` role's;
        `admin_password`: deprecated, the former name of `passwords["postgres"]`."""
        self._both_given = admin_password is not None and arguments.get("passwords") is not None
        if admin_password is not None:
            warnings.warn(
                "CustomDatabase admin_password= is deprecated: pass passwords={'postgres': <secret>}",
                DeprecationWarning,
                stacklevel=2,
            )
            if not self._both_given:
                arguments["passwords"] = {SUPERUSER: admin_password}
        super().__init__(resource_name, config, **arguments)

    def extra_violations(self, config: BaseModel) -> list[Violation]:
        """`passwords` holds exactly the `postgres` role's (and `admin_password` is not given besides); as
        many replica targets as `replication.replicas` asks for, and none without replication; no
        replication password without replication."""
        assert isinstance(config, CustomDatabaseConfig)
        if self._both_given:
            rule = (
                "admin_password (deprecated) and passwords were both given: give passwords={'postgres': ...}"
            )
            found = [Violation("admin_password", "[secret]", rule)]
        elif sorted(self._passwords) != [SUPERUSER]:
            rule = "passwords must hold exactly the key 'postgres' (the postgres role's password)"
            found = [Violation("passwords", sorted(self._passwords), rule)]
        else:
            found = []
        return found + self.target_violations(config) + self.unused_replication_password(config)

    def metadata(self, config: BaseModel) -> ServiceMetadata:
        """name, description, version, category, dependencies, supported_os, ports, data_directories."""
        assert isinstance(config, CustomDatabaseConfig)
        return self.database_metadata(
            config,
            name="custom-database",
            dependencies=[name.format(major=major_of(config.version)) for name in PACKAGES],
            data_directories=(config.data_directory, config.backup.storage_location),
        )

    def steps(self, config: BaseModel, target: Target) -> list[Step]:
        """The primary's steps, then each replica's (after the primary is healthy)."""
        assert isinstance(config, CustomDatabaseConfig)
        postgres = pulumi.Output.secret(self._passwords[SUPERUSER])
        replicator = self._replication_password or postgres
        # the replicator role's password goes on a second line only when it is not the postgres role's (the
        # default), so that the script and stdin stay as they were for one password
        separate: pulumi.Output[bool] | None = None
        primary_secret: pulumi.Output[str] = postgres
        if self._replication_password is not None:
            both = pulumi.Output.all(postgres, replicator)
            separate = pulumi.Output.unsecret(both.apply(lambda found: found[0] != found[1]))
            primary_secret = both.apply(lambda found: "\n".join(dict.fromkeys(found)))
        found: list[Step] = []
        for server in each_host(Host, target, self._replicas):
            if server.prefix:
                secrets = {"credentials": replicator, "health": postgres}
                found += self._host_steps(config, server, secrets, None)
            else:
                secrets = {"credentials": primary_secret, "health": postgres}
                found += self._host_steps(config, server, secrets, separate)
        return found

    def _host_steps(
        self,
        config: CustomDatabaseConfig,
        server: Server[Host],
        secrets: Mapping[str, pulumi.Output[str]],
        separate: pulumi.Output[bool] | None,
    ) -> list[Step]:
        target, prefix = server.target, server.prefix
        script = server.scripts(functools.partial(scripts, config))

        def part(step: str, kind: str) -> pulumi.Output[str]:
            if step == "credentials" and separate is not None:
                both = pulumi.Output.all(server.host, separate)
                return both.apply(
                    lambda found: _script(scripts(config, found[0], separate_replicator=found[1])[step], kind)
                )
            return script(step).apply(lambda found: _script(found, kind))

        def make(name: str, first: Any, again: Any, **kwargs: Any) -> Step:
            delete = part(name, "delete") if name == "remove" else None
            update = part(name, "update") if name in ("version", "remove") else None
            secret = secrets.get(name)
            return Step(
                prefix + name,
                target,
                part(name, "run"),
                first,
                again,
                update,
                delete,
                secret=secret,
                **kwargs,
            )

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
        steps = [make(name, *categories[name]) for name in order]
        steps.append(make("health", None, None, health=True))
        return steps


def _script(found: Scripts, kind: str) -> str:
    value = getattr(found, kind)
    if value is None:
        raise ValueError(f"no {kind} script")
    return str(value)
