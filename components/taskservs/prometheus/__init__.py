"""Prometheus: the monitoring server from the OS package, run as the service `prometheus` on a server, with
the node exporter on the servers it watches, configured over SSH (`docs/task-services.md`). The declaration
(`spec`) and the rendering (`render`) import no Pulumi; `Prometheus` loads it when first used."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

from .spec import (
    PROMETHEUS as PROMETHEUS,
    NodeExporterSettings as NodeExporterSettings,
    PrometheusConfig as PrometheusConfig,
    ScrapeJob as ScrapeJob,
)

if TYPE_CHECKING:
    from .component import Prometheus as Prometheus

__all__, __getattr__ = exports_on_first_use(__name__)
