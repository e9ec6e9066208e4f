"""The PostgreSQL services' metrics exporter section (prometheus-postgres-exporter), with its log level.
Imports no Pulumi."""

from __future__ import annotations

from typing import Annotated

from provisioning.sdk.rules import InCatalog

from .. import settings

__all__ = ["LOG_LEVELS", "MonitoringSettings"]

LOG_LEVELS = ("debug", "info", "warn", "error")
"""`monitoring.log_level`: the metrics exporter's log levels."""


class MonitoringSettings(settings.MonitoringSettings):
    """The Prometheus metrics exporter (prometheus-postgres-exporter), with its log level."""

    log_level: Annotated[str, InCatalog(LOG_LEVELS)] = "info"
    """The exporter's log level."""
