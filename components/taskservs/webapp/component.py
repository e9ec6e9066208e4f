"""WebApp: the task service as a Pulumi component (see docs/task-services.md).

    app = WebApp("app-0", {"version": "1.4", "database": {"kind": "postgresql", "host": "shop-db-primary"}},
                 target=Target.server(server, private_key),
                 database_password=config.require_secret("appPassword"),
                 release_after=[previous_batch.release])

Steps: remove (armed; runs on delete), install (packages, the user, the application), credentials (the
database password from stdin), configure (settings, service), release (the version: drain, restart, back
into the pool; after `release_after`), health (service, http, database, version)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi_command import remote
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import Step, TaskService
from provisioning.sdk.taskservice.settings import ServiceMetadata
from provisioning.sdk.taskservice.target import Target

from .._service import metadata_of
from .render import DRIVERS, scripts
from .spec import WEBAPP, WebAppConfig

__all__ = ["WebApp"]


class WebApp(TaskService):
    """The project's web application, run as the service `webapp` on a server, backed by a database."""

    declaration = WEBAPP

    release: remote.Command
    """The release step: reruns alone when `version` changes (drain, restart, healthy, back in the pool).
    Give it to the next batch's `release_after` for a rolling update."""

    def __init__(
        self,
        resource_name: str,
        config: WebAppConfig | Mapping[str, Any] | None = None,
        *,
        target: Target,
        database_password: pulumi.Input[str],
        release_after: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`config`: the fields of `WebAppConfig`; `target`: the server; `database_password`: the password
        of `database.user` (a secret); `release_after`: resources the release step waits for (the previous
        batch's `release` in a rolling update)."""
        self._password = pulumi.Output.secret(database_password)
        self._release_after = tuple(release_after)
        super().__init__(resource_name, config, target=target, opts=opts)
        self.release = self.commands["release"]

    def metadata(self, config: BaseModel) -> ServiceMetadata:
        """name, description, version, category, dependencies, supported_os, ports, data_directories."""
        assert isinstance(config, WebAppConfig)
        dependencies = ("python3", DRIVERS[config.database.kind], "curl")
        return metadata_of(WEBAPP, config, name="webapp", dependencies=dependencies, ports=(config.port,))

    def steps(self, config: BaseModel, target: Target) -> list[Step]:
        """remove (armed), install, credentials, configure, release, health."""
        assert isinstance(config, WebAppConfig)
        found = scripts(config)
        return [
            Step("remove", target, found["remove-armed"], None, None, delete=found["remove"]),
            Step("install", target, found["install"], "install", "install"),
            Step(
                "credentials", target, found["credentials"], "configure", "configure", secret=self._password
            ),
            Step("configure", target, found["configure"], "configure", "configure"),
            Step("release", target, found["release"], "install", "update", depends_on=self._release_after),
            Step("health", target, found["health"], None, None, health=True),
        ]
