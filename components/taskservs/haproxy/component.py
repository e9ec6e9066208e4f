"""HAProxy: the task service as a Pulumi component (see docs/task-services.md).

    lb = HAProxy("lb", {"port": 80, "backends": [{"name": "web-1", "address": "10.0.0.5", "port": 8080}]},
                 target=Target.server(server, private_key))

Steps: remove (armed; runs on delete), install (the package), configure (the TLS certificate with `ssl`,
haproxy.cfg checked with `haproxy -c`, Debian's haproxy.service; a running HAProxy drains the servers leaving
its pool and reloads without closing its listening sockets, a stopped one starts; after `configure_after`),
health (the stats page and the Prometheus exporter answer; with `ssl`, HTTPS with the certificate
verified)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import Step, TaskService
from provisioning.sdk.taskservice.settings import ServiceMetadata
from provisioning.sdk.taskservice.target import Target

from .._service import metadata_of
from .render import PACKAGES, scripts
from .spec import HAPROXY, HAProxyConfig

__all__ = ["HAProxy"]


class HAProxy(TaskService):
    """HAProxy from the OS package as the service `haproxy`, balancing HTTP over its backends."""

    declaration = HAPROXY

    def __init__(
        self,
        resource_name: str,
        config: HAProxyConfig | Mapping[str, Any] | None = None,
        *,
        target: Target,
        configure_after: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`config`: the fields of `HAProxyConfig`; `target`: the server; `configure_after`: resources the
        configure step waits for (the backends' health steps, so that a server joins the pool healthy)."""
        self._configure_after = tuple(configure_after)
        super().__init__(resource_name, config, target=target, opts=opts)

    def metadata(self, config: BaseModel) -> ServiceMetadata:
        """name, description, version, category, dependencies, supported_os, ports, data_directories."""
        assert isinstance(config, HAProxyConfig)
        ports = [config.port] + ([config.ssl.port] if config.ssl.enabled else [])
        ports += [config.stats.port] if config.stats.enabled else []
        return metadata_of(HAPROXY, config, name="haproxy", dependencies=PACKAGES, ports=ports)

    def steps(self, config: BaseModel, target: Target) -> list[Step]:
        """remove, install, configure, health."""
        assert isinstance(config, HAProxyConfig)
        found = scripts(config)
        return [
            Step("remove", target, found["remove"].run, None, None, delete=found["remove"].delete),
            Step("install", target, found["install"].run, "install", "install"),
            Step(
                "configure",
                target,
                found["configure"].run,
                "configure",
                "configure",
                depends_on=self._configure_after,
            ),  # fmt: skip
            Step("health", target, found["health"].run, None, None, health=True),
        ]
