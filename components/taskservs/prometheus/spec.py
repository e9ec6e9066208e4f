"""The Prometheus declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:Prometheus` (kind "taskserv", category "monitoring"). Named by the
`provisioning.taskservs` entry point. Imports no Pulumi."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from provisioning.sdk.rules import Matches, NotEmpty
from provisioning.sdk.taskservice.rules import ANY_PORT
from provisioning.sdk.taskservice.settings import SettingsModel, TaskServiceSettings
from provisioning.sdk.validation import Violation

from .._service import declare

__all__ = ["PROMETHEUS", "AlertRule", "NodeExporterSettings", "PrometheusConfig", "ScrapeJob"]

_DURATION = Matches(
    r"([1-9][0-9]*(ms|s|m|h|d|w|y))+",
    "a duration: a whole number and ms, s, m, h, d, w or y (15s, 30d, 1h30m)",
)
_JOB = Matches(r"[a-zA-Z_][a-zA-Z0-9_-]{0,62}", "1 to 63 letters, digits, '_' and '-', first a letter or '_'")
_ALERT = Matches(
    r"[A-Za-z_][A-Za-z0-9_]{0,127}", "1 to 128 letters, digits and '_', first a letter or '_' (TargetDown)"
)
_SEVERITY = Matches(
    r"[a-z][a-z0-9_-]{0,31}", "1 to 32 lowercase letters, digits, '_' and '-', first a letter (critical)"
)
_HOST_PORT = Matches(r"[A-Za-z0-9.-]+:[0-9]{1,5}", "host:port (10.0.0.5:9100)")


class ScrapeJob(SettingsModel):
    """One scrape job: a name and the endpoints whose /metrics Prometheus reads."""

    job: Annotated[str, _JOB]
    """The job's name (the `job` label; unique)."""
    targets: list[Annotated[str, _HOST_PORT]]
    """Endpoints as host:port (at least one)."""


class AlertRule(SettingsModel):
    """One alerting rule: Prometheus fires `alert` when `expr` has held for `for_`."""

    alert: Annotated[str, _ALERT]
    """The alert's name (unique)."""
    expr: Annotated[str, NotEmpty()]
    """A PromQL expression: every series it returns is a firing alert (`up == 0`)."""
    for_: Annotated[str, _DURATION] = "1m"
    """How long `expr` must hold before the alert fires (pending until then)."""
    severity: Annotated[str, _SEVERITY] = "warning"
    """The `severity` label (critical, warning, info …)."""
    summary: str = ""
    """The `summary` annotation: one line for whoever is alerted (none when empty)."""


class NodeExporterSettings(SettingsModel):
    """The node exporter installed on each of the component's `node_exporter_targets`."""

    port: Annotated[int, ANY_PORT] = 9100
    """TCP port of the node exporter's /metrics."""
    job: Annotated[str, _JOB] = "node"
    """The scrape job of the node exporters."""


class PrometheusConfig(TaskServiceSettings):
    """A Prometheus monitoring server scraping the given jobs and the node exporters it installs."""

    version: Annotated[str, Matches(r"[1-9][0-9]*(\.[0-9]+)?", "a Prometheus release line (2 or 2.42)")] = "2"
    """Prometheus release line the host must have (2.42 on Debian 12)."""
    port: Annotated[int, ANY_PORT] = 9090
    """TCP port of the web UI and API."""
    scrape_interval: Annotated[str, _DURATION] = "15s"
    """How often every target is scraped."""
    retention: Annotated[str, _DURATION] = "30d"
    """How long samples are kept (storage.tsdb.retention.time)."""
    scrape_targets: list[ScrapeJob] = Field(default_factory=list)
    """Scrape jobs: {job, targets ["host:port"]}."""
    node_exporter: NodeExporterSettings = Field(default_factory=NodeExporterSettings)
    """The node exporter on `node_exporter_targets`."""
    alert_rules: list[AlertRule] = Field(default_factory=list)
    """Alerting rules {alert, expr, for_, severity, summary}: a rules file checked with `promtool check
    rules`, listed in `rule_files`."""
    storage_path: Annotated[
        str, Matches(r"/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+", "an absolute path at least two levels deep")
    ] = "/var/lib/prometheus/metrics2"
    """The time series database folder."""


def _repeated(field: str, names: list[str], what: str) -> dict[int, Violation]:
    """By index in `field`, each name used by an item before it."""
    rule = "{what} name {name!r} is used more than once; names must be unique"
    return {
        index: Violation(f"{field}.{index}.{what}", name, rule.format(what=what, name=name))
        for index, name in enumerate(names)
        if name in names[:index]
    }


def jobs_are_sound(config: PrometheusConfig) -> list[Violation]:
    """Job names are unique, each job has a target, and target ports are 1..65535."""
    found = []
    repeated = _repeated("scrape_targets", [job.job for job in config.scrape_targets], "job")
    for index, job in enumerate(config.scrape_targets):
        found += [repeated[index]] if index in repeated else []
        if not job.targets:
            rule = f"job {job.job!r} must list at least one target host:port"
            found.append(Violation(f"scrape_targets.{index}.targets", [], rule))
        for number, target in enumerate(job.targets):
            port = int(target.rsplit(":", 1)[1])
            if not 0 < port < 65536:
                rule = f"target {target!r} has port {port}; ports must be between 1 and 65535"
                found.append(Violation(f"scrape_targets.{index}.targets.{number}", target, rule))
    return found


def alert_rules_sound(config: PrometheusConfig) -> list[Violation]:
    """Alert names are unique and no expr is blank."""
    found = []
    repeated = _repeated("alert_rules", [rule.alert for rule in config.alert_rules], "alert")
    for index, rule in enumerate(config.alert_rules):
        found += [repeated[index]] if index in repeated else []
        if rule.expr and not rule.expr.strip():
            found.append(Violation(f"alert_rules.{index}.expr", rule.expr, "expr cannot be empty"))
    return found


def ports_apart(config: PrometheusConfig) -> list[Violation]:
    """Prometheus and the node exporter listen on different ports (both may run on one server)."""
    if config.node_exporter.port == config.port:
        return [
            Violation(
                "node_exporter.port", config.port, f"node_exporter.port must differ from port {config.port}"
            )
        ]
    return []


PROMETHEUS = declare(
    "Prometheus", PrometheusConfig, "monitoring", (jobs_are_sound, alert_rules_sound, ports_apart)
)
"""The Prometheus task service."""
