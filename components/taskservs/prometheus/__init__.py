"""Prometheus: the monitoring server from the OS package, run as the service `prometheus` on a server, with
the node exporter on the servers it watches, configured over SSH (`docs/task-services.md`). The declaration
(`spec`) and the rendering (`render`) import no Pulumi; `Prometheus` loads it when first used."""

from provisioning.sdk._lazy import names_on_first_use

from .spec import PROMETHEUS, NodeExporterSettings, PrometheusConfig, ScrapeJob

__all__ = ["PROMETHEUS", "NodeExporterSettings", "Prometheus", "PrometheusConfig", "ScrapeJob"]


__getattr__ = names_on_first_use(__name__, ["Prometheus"], ["component"])
