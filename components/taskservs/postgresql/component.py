"""PostgreSQL: the task service as a Pulumi component (see docs/task-services.md).

    pg = PostgreSQL("pg", {"databases": [{"name": "app", "owner": "app"}], "users": [{"name": "app"}]},
                    target=Target.server(server, private_key),
                    passwords={"app": config.require_secret("appPassword")})

Steps: remove (armed; runs on delete), install (packages, the Debian cluster `main`), configure,
credentials (users with their passwords on stdin, databases), health (`SELECT 1`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import Step, TaskService
from provisioning.sdk.taskservice.settings import ServiceMetadata
from provisioning.sdk.taskservice.target import Target
from provisioning.sdk.validation import Violation

from .render import credentials_input, scripts
from .spec import POSTGRESQL, PostgreSQLConfig

__all__ = ["PostgreSQL"]


class PostgreSQL(TaskService):
    """The stock Debian PostgreSQL cluster, with its databases and users (passwords as secrets)."""

    declaration = POSTGRESQL

    def __init__(
        self,
        resource_name: str,
        config: PostgreSQLConfig | Mapping[str, Any] | None = None,
        *,
        target: Target,
        passwords: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`config`: the fields of `PostgreSQLConfig`; `target`: the server; `passwords`: each user's
        password (secrets), by user name."""
        self._passwords = dict(passwords or {})
        super().__init__(resource_name, config, target=target, opts=opts)

    def extra_violations(self, config: BaseModel) -> list[Violation]:
        """Every user has a password in `passwords`, and every password a user."""
        assert isinstance(config, PostgreSQLConfig)
        users = {user.name for user in config.users}
        found = []
        for name in sorted(users - set(self._passwords)):
            found.append(Violation("users", name, f"users {name!r} has no password in passwords={{...}}"))
        for name in sorted(set(self._passwords) - users):
            found.append(Violation("users", name, f"passwords has {name!r}, which is not one of users"))
        return found

    def metadata(self, config: BaseModel) -> ServiceMetadata:
        """name, description, version, category, dependencies, supported_os, ports, data_directories."""
        assert isinstance(config, PostgreSQLConfig)
        return ServiceMetadata(
            name="postgresql",
            description=POSTGRESQL.description,
            version=config.version,
            category=POSTGRESQL.category or "database",
            dependencies=(f"postgresql-{config.version}", f"postgresql-client-{config.version}"),
            supported_os=("debian", "ubuntu"),
            ports=(config.port,),
            data_directories=(f"/var/lib/postgresql/{config.version}/main",),
        )

    def steps(self, config: BaseModel, target: Target) -> list[Step]:
        """remove (armed), install, configure, credentials, health."""
        assert isinstance(config, PostgreSQLConfig)
        found = scripts(config)
        names = sorted(self._passwords)
        values: pulumi.Output[list[Any]] = pulumi.Output.all(*(self._passwords[name] for name in names))
        text: pulumi.Output[str] = values.apply(
            lambda found: credentials_input(dict(zip(names, found, strict=True)))
        )
        secret: pulumi.Output[str] = pulumi.Output.secret(text)
        return [
            Step("remove", target, found["remove-armed"], None, None, delete=found["remove"]),
            Step("install", target, found["install"], "install", "install"),
            Step("configure", target, found["configure"], "configure", "configure"),
            Step("credentials", target, found["credentials"], "configure", "configure", secret=secret),
            Step("health", target, found["health"], None, None, health=True),
        ]
