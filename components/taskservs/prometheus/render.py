"""Everything Prometheus puts on its hosts, rendered from its templates (`templates/`): prometheus.yml, the
arguments of Debian's units (`/etc/default/…`) and the step scripts of the server and of each node
exporter. Pure: no Pulumi, no host."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from provisioning.sdk.taskservice.scripts import Scripts
from provisioning.sdk.taskservice.templates import TemplateLibrary, state_dir

from .spec import PrometheusConfig

__all__ = [
    "EXPORTER",
    "PACKAGES",
    "PATHS",
    "SERVICE",
    "Scripts",
    "config_files",
    "exporter_scripts",
    "scripts",
]

TEMPLATES = TemplateLibrary(Path(__file__).with_name("templates"))
"""Prometheus's templates with the shared step helpers; filter `yaml` writes a YAML string (JSON's
double-quoted form, which YAML reads the same)."""
TEMPLATES.environment.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)
SERVICE = "prometheus"
"""The server's service: Debian's systemd unit `prometheus.service`."""
EXPORTER = "prometheus-node-exporter"
"""The node exporter's service: Debian's systemd unit `prometheus-node-exporter.service`."""
PACKAGES = ("prometheus", "prometheus-node-exporter", "curl")
"""The OS packages it needs (installed when missing; the node exporter only on its targets)."""
PATHS = {
    "conf_file": "/etc/prometheus/prometheus.yml",
    "rules_file": "/etc/prometheus/provisioning-rules.yml",
    "defaults_file": "/etc/default/prometheus",
    "exporter_defaults_file": "/etc/default/prometheus-node-exporter",
}
"""Where its files go on the hosts."""


def node_targets(config: PrometheusConfig, addresses: Sequence[str]) -> list[str]:
    """The node exporters' endpoints (`address:port`)."""
    return [f"{address}:{config.node_exporter.port}" for address in addresses]


def config_files(config: PrometheusConfig, node_addresses: Sequence[str] = ()) -> dict[str, str]:
    """Path on the Prometheus server → content of every file written there (the rules file only with
    `alert_rules`)."""
    values = {"c": config, "nodes": node_targets(config, node_addresses), **PATHS}
    files = {
        PATHS["conf_file"]: TEMPLATES.render("prometheus.yml.j2", **values),
        PATHS["defaults_file"]: TEMPLATES.render("prometheus.default.j2", **values),
    }
    if config.alert_rules:
        files[PATHS["rules_file"]] = TEMPLATES.render("rules.yml.j2", **values)
    return files


def exporter_files(config: PrometheusConfig) -> dict[str, str]:
    """Path on a node exporter target → content."""
    return {PATHS["exporter_defaults_file"]: TEMPLATES.render("node-exporter.default.j2", c=config)}


def scripts(config: PrometheusConfig, node_addresses: Sequence[str] = ()) -> dict[str, Scripts]:
    """The server's step scripts: remove (armed; its delete removes Prometheus), install, configure,
    health."""
    files = config_files(config, node_addresses)
    values = {"c": config, "files": files, "nodes": node_targets(config, node_addresses), **PATHS}

    def step(name: str, template: str) -> str:
        return TEMPLATES.step(template, step=name, service=SERVICE, state_dir=state_dir(SERVICE), **values)

    return {
        "remove": Scripts(run=step("remove", "remove-armed.sh.j2"), delete=step("remove", "remove.sh.j2")),
        "install": Scripts(run=step("install", "install.sh.j2")),
        "configure": Scripts(run=step("configure", "configure.sh.j2")),
        "health": Scripts(run=step("health", "health.sh.j2")),
    }


def exporter_scripts(config: PrometheusConfig) -> dict[str, Scripts]:
    """A node exporter target's step scripts: remove (armed), install (package, arguments, started,
    answering)."""
    values = {"c": config, "files": exporter_files(config), **PATHS}

    def step(name: str, template: str) -> str:
        return TEMPLATES.step(
            template, step=f"node-exporter-{name}", service=EXPORTER, state_dir=state_dir(EXPORTER), **values
        )

    return {
        "remove": Scripts(
            run=step("remove", "remove-armed.sh.j2"), delete=step("remove", "node-exporter-remove.sh.j2")
        ),
        "install": Scripts(run=step("install", "node-exporter-install.sh.j2")),
    }
