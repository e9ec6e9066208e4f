"""Every HAProxy rule, through the registry (what the policy pack runs) and through the component's
constructor (what fails `pulumi preview`): the message names the field, the value and the rule, and
nothing is registered."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.components.taskservs.haproxy import HAPROXY, HAProxyConfig
from provisioning.sdk import registry

from .mocks import case_ids, refused, target, undocumented_fields

WEB = [
    {"name": "web-1", "address": "10.0.0.5", "port": 8080},
    {"name": "web-2", "address": "10.0.0.6", "port": 8080},
]
GOOD: dict[str, Any] = {"backends": WEB}

BAD: list[tuple[dict[str, Any], str, Any, str]] = [
    ({"port": 0}, "port", 0, "port must be between 1 and 65535"),
    ({"port": 65536}, "port", 65536, "port must be between 1 and 65535"),
    ({"stats": {"port": 70000}}, "stats.port", 70000, "port must be between 1 and 65535"),
    (
        {"backends": [{"name": "web-1", "address": "10.0.0.5", "port": 0}]},
        "backends.0.port",
        0,
        "port must be between 1 and 65535",
    ),
    (
        {"backends": [{"name": "1web", "address": "10.0.0.5", "port": 80}]},
        "backends.0.name",
        "1web",
        "name '1web' must be 1 to 63 letters, digits, '_' and '-', first a letter",
    ),
    (
        {"backends": [{"name": "web", "address": "10.0.0.5; rm", "port": 80}]},
        "backends.0.address",
        "10.0.0.5; rm",
        "address '10.0.0.5; rm' must be an IP address or host name",
    ),
    (
        {"health_check_path": "health"},
        "health_check_path",
        "health",
        "health_check_path 'health' must be a path starting with '/' of letters, digits and . _ ~ / -",
    ),
    (
        {"stats": {"path": "stats"}},
        "stats.path",
        "stats",
        "path 'stats' must be a path starting with '/' of letters, digits and . _ ~ / -",
    ),
    (
        {"check_interval": "2"},
        "check_interval",
        "2",
        "check_interval '2' must be a duration: a whole number and ms, s, m or h (2s, 500ms)",
    ),
    # cross-field rules
    ({"backends": []}, "backends", [], "backends must list at least one backend {name, address, port}"),
    (
        {"backends": [*WEB, {"name": "web-1", "address": "10.0.0.7", "port": 80}]},
        "backends.2.name",
        "web-1",
        "backend name 'web-1' is used more than once; names must be unique",
    ),
    ({"port": 8404}, "stats.port", 8404, "stats.port must differ from port 8404"),
    ({"fall": 0}, "fall", 0, "fall must be between 1 and 100"),
    ({"rise": 101}, "rise", 101, "rise must be between 1 and 100"),
    ({"retries": -1}, "retries", -1, "retries must be between 0 and 100"),
    ({"ssl": {"port": 0}}, "ssl.port", 0, "port must be between 1 and 65535"),
    (
        {"ssl": {"cert_file": "cert.pem", "key_file": "/k.pem"}},
        "ssl.cert_file",
        "cert.pem",
        "cert_file 'cert.pem' must be an absolute path of letters, digits and . _ / -",
    ),
    (
        {"ssl": {"subject_alt_names": ["shop lb"]}},
        "ssl.subject_alt_names.0",
        "shop lb",
        "subject_alt_names 'shop lb' must be an IP address or host name",
    ),
    ({"ssl": {"enabled": True, "port": 80}}, "ssl.port", 80, "ssl.port must differ from port 80"),
    ({"ssl": {"enabled": True, "port": 8404}}, "ssl.port", 8404, "ssl.port must differ from stats.port 8404"),
    (
        {"ssl": {"enabled": True, "cert_file": "/etc/ssl/lb.crt"}},
        "ssl.key_file",
        None,
        "ssl.key_file must be given with ssl.cert_file (both, or neither for a self-signed one)",
    ),
    (
        {"ssl": {"enabled": True, "key_file": "/etc/ssl/lb.key"}},
        "ssl.cert_file",
        None,
        "ssl.cert_file must be given with ssl.key_file (both, or neither for a self-signed one)",
    ),
    (
        {"stats": {"path": "/metrics"}},
        "stats.path",
        "/metrics",
        "stats.path must not be /metrics: the Prometheus exporter answers there",
    ),
]
IDS = case_ids(BAD)


def test_the_declaration_is_registered_by_type_token() -> None:
    found = registry.declarations()["provisioning:taskservs:HAProxy"]
    assert found is HAPROXY and found.kind == "taskserv" and found.category == "load-balancer"
    assert found.model is HAProxyConfig


def test_defaults() -> None:
    config = HAProxyConfig(name="lb", backends=WEB)
    dumped = config.model_dump()
    assert dumped["port"] == 80 and dumped["health_check_path"] == "/health"
    assert dumped["check_interval"] == "2s" and dumped["version"] == "2.6"
    assert dumped["stats"] == {"enabled": True, "port": 8404, "path": "/stats"}
    assert (dumped["fall"], dumped["rise"], dumped["retries"]) == (2, 2, 3)
    assert dumped["ssl"] == {
        "enabled": False, "port": 443, "cert_file": None, "key_file": None, "subject_alt_names": [],
    }  # fmt: skip
    assert HAPROXY.check({"name": "lb", **GOOD}) == []


def test_every_field_is_documented() -> None:
    assert undocumented_fields(HAProxyConfig) == []


@pytest.mark.parametrize(("values", "field", "value", "rule"), BAD, ids=IDS)
def test_each_rule_names_field_value_and_rule(
    values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    [found] = HAPROXY.check({"name": "lb", **GOOD, **values})
    assert (found.field, found.value, found.rule) == (field, value, rule)


@pytest.mark.parametrize(("values", "field", "value", "rule"), BAD, ids=IDS)
def test_the_component_fails_before_registering_anything(
    values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    from provisioning.components.taskservs.haproxy import HAProxy

    error = refused(lambda: HAProxy("lb", {**GOOD, **values}, target=target("10.0.0.9")))
    assert str(error) == f"HAProxy 'lb': invalid config: {field}: {rule} (got {value!r})"


@pytest.mark.parametrize("interval", ["500ms", "2s", "1m", "1h"])
def test_good_intervals_pass(interval: str) -> None:
    assert HAPROXY.check({"name": "lb", **GOOD, "check_interval": interval, "port": 1}) == []
