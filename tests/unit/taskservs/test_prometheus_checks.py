"""Every Prometheus rule, through the registry (what the policy pack runs) and through the component's
constructor (what fails `pulumi preview`): the message names the field, the value and the rule, and
nothing is registered."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.components.taskservs.prometheus import PROMETHEUS, PrometheusConfig

from .mocks import refused, target
from .rule_table import Row, broken, rule_tests

DURATION = "must be a duration: a whole number and ms, s, m, h, d, w or y (15s, 30d, 1h30m)"
PORT = "port must be between 1 and 65535"
UNIQUE = "is used more than once; names must be unique"


def _build(values: dict[str, Any], nodes: int = 0) -> Any:
    from provisioning.components.taskservs.prometheus import Prometheus

    exporters = [target(f"10.0.0.{20 + i}") for i in range(nodes)]
    return Prometheus("mon", values, target=target("10.0.0.9"), node_exporter_targets=exporters)


ROWS: list[Row] = [
    broken("port", 0, PORT),
    broken("port", 65536, PORT),
    broken("node_exporter.port", 70000, PORT),
    broken("retention", "30days", f"retention '30days' {DURATION}"),
    broken("retention", "0d", f"retention '0d' {DURATION}"),
    broken("scrape_interval", "15", f"scrape_interval '15' {DURATION}"),
    broken(
        "scrape_targets.0.targets.0",
        "10.0.0.7",
        "targets '10.0.0.7' must be host:port (10.0.0.5:9100)",
        given={"scrape_targets": [{"job": "app", "targets": ["10.0.0.7"]}]},
    ),
    broken(
        "scrape_targets.0.job",
        "9app",
        "job '9app' must be 1 to 63 letters, digits, '_' and '-', first a letter or '_'",
        given={"scrape_targets": [{"job": "9app", "targets": ["10.0.0.7:80"]}]},
    ),
    broken("storage_path", "data", "storage_path 'data' must be an absolute path at least two levels deep"),
    # cross-field rules
    broken(
        "scrape_targets.0.targets.0",
        "10.0.0.7:0",
        "target '10.0.0.7:0' has port 0; ports must be between 1 and 65535",
        given={"scrape_targets": [{"job": "app", "targets": ["10.0.0.7:0"]}]},
    ),
    broken(
        "scrape_targets.0.targets",
        [],
        "job 'app' must list at least one target host:port",
        given={"scrape_targets": [{"job": "app", "targets": []}]},
    ),
    broken(
        "scrape_targets.1.job",
        "app",
        f"job name 'app' {UNIQUE}",
        given={"scrape_targets": [{"job": "app", "targets": ["a:1"]}, {"job": "app", "targets": ["b:1"]}]},
    ),
    broken("node_exporter.port", 9100, "node_exporter.port must differ from port 9100", given={"port": 9100}),
    # alert rules
    broken(
        "alert_rules.0.alert",
        "Target Down",
        "alert 'Target Down' must be 1 to 128 letters, digits and '_', first a letter or '_' (TargetDown)",
        given={"alert_rules": [{"alert": "Target Down", "expr": "up == 0"}]},
    ),
    *(
        broken(
            "alert_rules.0.expr",
            expr,
            "expr cannot be empty",
            given={"alert_rules": [{"alert": "TargetDown", "expr": expr}]},
        )
        for expr in ("", "  ")
    ),
    broken(
        "alert_rules.0.for_",
        "5 minutes",
        f"for_ '5 minutes' {DURATION}",
        given={"alert_rules": [{"alert": "TargetDown", "expr": "up == 0", "for_": "5 minutes"}]},
    ),
    broken(
        "alert_rules.0.severity",
        "Page!",
        "severity 'Page!' must be 1 to 32 lowercase letters, digits, '_' and '-', first a letter (critical)",
        given={"alert_rules": [{"alert": "TargetDown", "expr": "up == 0", "severity": "Page!"}]},
    ),
    broken(
        "alert_rules.1.alert",
        "A",
        f"alert name 'A' {UNIQUE}",
        given={"alert_rules": [{"alert": "A", "expr": "up == 0"}, {"alert": "A", "expr": "up == 1"}]},
    ),
]
TestRules = rule_tests(PROMETHEUS, {"name": "mon"}, "Prometheus 'mon'", _build, ROWS)


def test_defaults() -> None:
    dumped = PrometheusConfig(name="mon").model_dump()
    assert (dumped["port"], dumped["scrape_interval"], dumped["retention"]) == (9090, "15s", "30d")
    assert dumped["node_exporter"] == {"port": 9100, "job": "node"} and dumped["scrape_targets"] == []
    assert dumped["alert_rules"] == []
    rules = [{"alert": "TargetDown", "expr": "up == 0"}]
    rule = PrometheusConfig(name="mon", alert_rules=rules).alert_rules[0]
    assert (rule.for_, rule.severity, rule.summary) == ("1m", "warning", "")


@pytest.mark.parametrize("duration", ["500ms", "15s", "1h30m", "30d", "2w", "1y"])
def test_good_durations_pass(duration: str) -> None:
    assert PROMETHEUS.check({"name": "mon", "retention": duration, "scrape_interval": duration}) == []


def test_the_node_exporter_job_is_not_a_scrape_job_too() -> None:
    error = refused(lambda: _build({"scrape_targets": [{"job": "node", "targets": ["a:1"]}]}, nodes=1))
    assert error.field == "node_exporter.job"
    assert error.rule == "node_exporter.job 'node' is also a job of scrape_targets; job names must be unique"
