"""Prometheus: the task service as a Pulumi component (see docs/task-services.md).

    mon = Prometheus("mon", {"scrape_targets": [{"job": "app", "targets": ["10.0.0.7:8000"]}]},
                     target=Target.server(server, private_key),
                     node_exporter_targets=[Target.server(web, private_key)])

Steps: on each node exporter target remove (armed) and install (package, arguments, started on its port,
answering); then on the server remove (armed), install, configure (the alerting rules checked with `promtool
check rules`, prometheus.yml checked with `promtool check config`, scraping itself, the node exporters and
`scrape_targets`, listing the rules in `rule_files`; a restart) and health
(`/-/ready` answers 200; each node exporter's metrics reachable from the server)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pydantic import BaseModel

from provisioning.sdk.taskservice.component import Step, TaskService
from provisioning.sdk.taskservice.settings import ServiceMetadata
from provisioning.sdk.taskservice.target import Target
from provisioning.sdk.validation import Violation

from .._service import metadata_of
from .render import PACKAGES, exporter_scripts, scripts
from .spec import PROMETHEUS, PrometheusConfig

__all__ = ["Prometheus"]


class Prometheus(TaskService):
    """Prometheus from the OS package as the service `prometheus`, with node exporters on other servers."""

    declaration = PROMETHEUS

    def __init__(
        self,
        resource_name: str,
        config: PrometheusConfig | Mapping[str, Any] | None = None,
        *,
        target: Target,
        node_exporter_targets: Sequence[Target] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`config`: the fields of `PrometheusConfig`; `target`: the Prometheus server;
        `node_exporter_targets`: servers the node exporter is installed and started on, scraped as the job
        `node_exporter.job`."""
        self._exporters = tuple(node_exporter_targets)
        super().__init__(resource_name, config, target=target, opts=opts)

    def extra_violations(self, config: BaseModel) -> list[Violation]:
        """The node exporters' job is not also one of `scrape_targets`."""
        assert isinstance(config, PrometheusConfig)
        jobs = [job.job for job in config.scrape_targets]
        if self._exporters and config.node_exporter.job in jobs:
            rule = (
                f"node_exporter.job {config.node_exporter.job!r} is also a job of scrape_targets; "
                "job names must be unique"
            )
            return [Violation("node_exporter.job", config.node_exporter.job, rule)]
        return []

    def metadata(self, config: BaseModel) -> ServiceMetadata:
        """name, description, version, category, dependencies, supported_os, ports, data_directories."""
        assert isinstance(config, PrometheusConfig)
        return metadata_of(
            PROMETHEUS,
            config,
            name="prometheus",
            dependencies=PACKAGES,
            ports=(config.port,),
            data_directories=(config.storage_path,),
        )

    def steps(self, config: BaseModel, target: Target) -> list[Step]:
        """Each node exporter's remove and install (which waits until its metrics answer), then the server's
        remove, install, configure and health (which also reads each node exporter's metrics)."""
        assert isinstance(config, PrometheusConfig)
        exporter = exporter_scripts(config)
        addresses = pulumi.Output.all(*[t.address for t in self._exporters])
        server = addresses.apply(lambda found: scripts(config, [str(a) for a in found]))
        nodes: list[Step] = []
        for index, node in enumerate(self._exporters):
            prefix = f"node-exporter-{index}-"
            remove = exporter["remove"]
            nodes.append(Step(prefix + "remove", node, remove.run, None, None, delete=remove.delete))
            nodes.append(Step(prefix + "install", node, exporter["install"].run, "install", "install"))
        found = scripts(config)
        return [
            *nodes,
            Step("remove", target, found["remove"].run, None, None, delete=found["remove"].delete),
            Step("install", target, found["install"].run, "install", "install"),
            Step("configure", target, server.apply(lambda s: s["configure"].run), "configure", "configure"),
            Step("health", target, server.apply(lambda s: s["health"].run), None, None, health=True),
        ]
