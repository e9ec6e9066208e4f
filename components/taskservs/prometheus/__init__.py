"""Prometheus: the monitoring server from the OS package, run as the service `prometheus` on a server, with
the node exporter on the servers it watches, configured over SSH (`docs/task-services.md`). The declaration
(`spec`) and the rendering (`render`) import no Pulumi; `Prometheus` loads it when first used."""

from typing import Any

from .spec import PROMETHEUS, NodeExporterSettings, PrometheusConfig, ScrapeJob

__all__ = ["PROMETHEUS", "NodeExporterSettings", "Prometheus", "PrometheusConfig", "ScrapeJob"]


def __getattr__(name: str) -> Any:
    if name == "Prometheus":
        from .component import Prometheus

        return Prometheus
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
