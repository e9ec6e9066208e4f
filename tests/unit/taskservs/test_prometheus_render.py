"""Prometheus's rendered files against fixtures (`fixtures_prometheus/<scenario>/<path on the host>`),
checked with `promtool check config` where it is installed; its step scripts are valid POSIX sh; the
component registers the node exporters' steps and the server's under Pulumi mocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from provisioning.components.taskservs.prometheus.render import (
    config_files,
    exporter_files,
    exporter_scripts,
    scripts,
)
from provisioning.components.taskservs.prometheus.spec import PrometheusConfig
from tests.support.tools import accepted, assert_posix_sh

from .mocks import RecordingMocks, assert_service, files_under, target

FIXTURES = Path(__file__).with_name("fixtures_prometheus")
SCENARIOS: dict[str, tuple[PrometheusConfig, list[str]]] = {
    "defaults": (PrometheusConfig(name="mon"), []),
    "tuned": (
        PrometheusConfig(
            name="metrics",
            port=9091,
            scrape_interval="5s",
            retention="12h",
            storage_path="/srv/prometheus/data",
            node_exporter={"port": 9200, "job": "hosts"},
            scrape_targets=[
                {"job": "app", "targets": ["10.0.0.7:8000", "web.internal:80"]},
                {"job": "haproxy", "targets": ["10.0.0.8:8405"]},
            ],
        ),
        ["10.0.0.20", "10.0.0.21"],
    ),
    # the web stack's rules: a target down, the app's CPU over a threshold
    "alerting": (
        PrometheusConfig(
            name="shop-monitoring",
            scrape_targets=[{"job": "app", "targets": ["shop-app-0:8080", "shop-app-1:8080"]}],
            alert_rules=[
                {
                    "alert": "TargetDown",
                    "expr": "up == 0",
                    "for_": "1m",
                    "severity": "critical",
                    "summary": "{{ $labels.job }} target {{ $labels.instance }} is down",
                },
                {
                    "alert": "AppHighCpu",
                    "expr": 'rate(process_cpu_seconds_total{job="app"}[1m]) * 100 > 70',
                    "for_": "2m",
                    "summary": 'app CPU over 70% ("cpu_threshold")',
                },
            ],
        ),
        [],
    ),  # fmt: skip
}


def _rendered(scenario: str) -> dict[str, str]:
    config, nodes = SCENARIOS[scenario]
    return {**config_files(config, nodes), **exporter_files(config)}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_rendered_files_match_the_fixtures(scenario: str) -> None:
    assert _rendered(scenario) == files_under(FIXTURES / scenario)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_promtool_accepts_the_rendered_config(scenario: str, tmp_path: Path) -> None:
    path = tmp_path / "prometheus.yml"
    rendered = _rendered(scenario)
    config = rendered["/etc/prometheus/prometheus.yml"]
    if "/etc/prometheus/provisioning-rules.yml" in rendered:  # the config names the rules file: check it too
        rules = tmp_path / "provisioning-rules.yml"
        rules.write_text(rendered["/etc/prometheus/provisioning-rules.yml"])
        config = config.replace("/etc/prometheus/provisioning-rules.yml", str(rules))
    path.write_text(config)
    accepted("promtool", "prometheus", "check", "config", str(path))


@pytest.mark.parametrize("scenario", [name for name in sorted(SCENARIOS) if SCENARIOS[name][0].alert_rules])
def test_promtool_accepts_the_rendered_rules(scenario: str, tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(_rendered(scenario)["/etc/prometheus/provisioning-rules.yml"])
    done = accepted("promtool", "prometheus", "check", "rules", str(path))
    assert "SUCCESS: 2 rules found" in done.stdout


def test_the_rules_file_exists_and_is_listed_only_with_rules() -> None:
    plain = _rendered("defaults")
    assert "/etc/prometheus/provisioning-rules.yml" not in plain
    assert "rule_files" not in plain["/etc/prometheus/prometheus.yml"]
    alerting = _rendered("alerting")["/etc/prometheus/prometheus.yml"]
    assert "rule_files:\n  - /etc/prometheus/provisioning-rules.yml\n" in alerting


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_step_scripts_are_posix_sh(scenario: str) -> None:
    config, nodes = SCENARIOS[scenario]
    for name, found in [*scripts(config, nodes).items(), *exporter_scripts(config).items()]:
        for script in (found.run, found.delete):
            if script is not None:
                assert_posix_sh(name, script)


def test_the_configure_script_checks_the_config_before_replacing_it() -> None:
    configure = scripts(*SCENARIOS["defaults"])["configure"].run
    check = configure.index("promtool check config /etc/prometheus/prometheus.yml.new")
    assert check < configure.index("mv -f /etc/prometheus/prometheus.yml.new /etc/prometheus/prometheus.yml")
    assert (
        "promtool check rules" not in configure
        and "rm -f /etc/prometheus/provisioning-rules.yml" in configure
    )
    alerting = scripts(*SCENARIOS["alerting"])["configure"].run
    rules = alerting.index("promtool check rules /etc/prometheus/provisioning-rules.yml.new")
    moved = alerting.index(
        "mv -f /etc/prometheus/provisioning-rules.yml.new /etc/prometheus/provisioning-rules.yml"
    )
    assert rules < moved < alerting.index("promtool check config /etc/prometheus/prometheus.yml.new")
    health = scripts(*SCENARIOS["tuned"])["health"].run
    assert "http://127.0.0.1:9091/-/ready" in health and "http://10.0.0.21:9200/metrics" in health


@pulumi.runtime.test
def test_the_component_registers_its_steps_and_outputs(mocks: RecordingMocks) -> pulumi.Output[Any]:
    from provisioning.components.taskservs.prometheus import Prometheus

    mon = Prometheus("mon", {}, target=target("10.0.0.9"), node_exporter_targets=[target("10.0.0.20")])

    def check(values: list[Any]) -> None:
        endpoint, healthy, metadata = values
        assert endpoint == "10.0.0.9:9090" and healthy is True
        assert_service(metadata, "prometheus", "monitoring", [9090])
        by_name = mocks.by_name
        assert by_name["mon"].typ == "provisioning:taskservs:Prometheus"
        assert mocks.commands == [
            "mon-node-exporter-0-remove",
            "mon-node-exporter-0-install",
            "mon-remove",
            "mon-install",
            "mon-configure",
            "mon-health",
        ]
        assert '"10.0.0.20:9100"' in by_name["mon-configure"].inputs["create"]
        assert "delete" in by_name["mon-node-exporter-0-remove"].inputs

    return pulumi.Output.all(mon.endpoint, mon.healthy, mon.service_metadata).apply(check)
