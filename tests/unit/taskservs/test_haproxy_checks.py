"""Every HAProxy rule, through the registry (what the policy pack runs) and through the component's
constructor (what fails `pulumi preview`): the message names the field, the value and the rule, and
nothing is registered."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.components.taskservs.haproxy import HAPROXY, HAProxyConfig

from .mocks import target
from .rule_table import Row, broken, rule_tests

WEB = [
    {"name": "web-1", "address": "10.0.0.5", "port": 8080},
    {"name": "web-2", "address": "10.0.0.6", "port": 8080},
]
GOOD: dict[str, Any] = {"backends": WEB}

PORT = "port must be between 1 and 65535"
PATH = "must be a path starting with '/' of letters, digits and . _ ~ / -"
BOTH = "(both, or neither for a self-signed one)"


def _build(values: dict[str, Any]) -> object:
    from provisioning.components.taskservs.haproxy import HAProxy

    return HAProxy("lb", {**GOOD, **values}, target=target("10.0.0.9"))


ROWS: list[Row] = [
    broken("port", 0, PORT),
    broken("port", 65536, PORT),
    broken("stats.port", 70000, PORT),
    broken(
        "backends.0.port",
        0,
        PORT,
        given={"backends": [{"name": "web-1", "address": "10.0.0.5", "port": 0}]},
    ),
    broken(
        "backends.0.name",
        "1web",
        "name '1web' must be 1 to 63 letters, digits, '_' and '-', first a letter",
        given={"backends": [{"name": "1web", "address": "10.0.0.5", "port": 80}]},
    ),
    broken(
        "backends.0.address",
        "10.0.0.5; rm",
        "address '10.0.0.5; rm' must be an IP address or host name",
        given={"backends": [{"name": "web", "address": "10.0.0.5; rm", "port": 80}]},
    ),
    broken("health_check_path", "health", f"health_check_path 'health' {PATH}"),
    broken("stats.path", "stats", f"path 'stats' {PATH}"),
    broken(
        "check_interval",
        "2",
        "check_interval '2' must be a duration: a whole number and ms, s, m or h (2s, 500ms)",
    ),
    # cross-field rules
    broken("backends", [], "backends must list at least one backend {name, address, port}"),
    broken(
        "backends.2.name",
        "web-1",
        "backend name 'web-1' is used more than once; names must be unique",
        given={"backends": [*WEB, {"name": "web-1", "address": "10.0.0.7", "port": 80}]},
    ),
    broken("stats.port", 8404, "stats.port must differ from port 8404", given={"port": 8404}),
    broken("fall", 0, "fall must be between 1 and 100"),
    broken("rise", 101, "rise must be between 1 and 100"),
    broken("retries", -1, "retries must be between 0 and 100"),
    broken("ssl.port", 0, PORT),
    broken(
        "ssl.cert_file",
        "cert.pem",
        "cert_file 'cert.pem' must be an absolute path of letters, digits and . _ / -",
        given={"ssl": {"cert_file": "cert.pem", "key_file": "/k.pem"}},
    ),
    broken(
        "ssl.subject_alt_names.0",
        "shop lb",
        "subject_alt_names 'shop lb' must be an IP address or host name",
        given={"ssl": {"subject_alt_names": ["shop lb"]}},
    ),
    broken("ssl.port", 80, "ssl.port must differ from port 80", given={"ssl": {"enabled": True, "port": 80}}),
    broken(
        "ssl.port",
        8404,
        "ssl.port must differ from stats.port 8404",
        given={"ssl": {"enabled": True, "port": 8404}},
    ),
    broken(
        "ssl.key_file",
        None,
        f"ssl.key_file must be given with ssl.cert_file {BOTH}",
        given={"ssl": {"enabled": True, "cert_file": "/etc/ssl/lb.crt"}},
    ),
    broken(
        "ssl.cert_file",
        None,
        f"ssl.cert_file must be given with ssl.key_file {BOTH}",
        given={"ssl": {"enabled": True, "key_file": "/etc/ssl/lb.key"}},
    ),
    broken(
        "stats.path", "/metrics", "stats.path must not be /metrics: the Prometheus exporter answers there"
    ),
]
TestRules = rule_tests(HAPROXY, {"name": "lb", **GOOD}, "HAProxy 'lb'", _build, ROWS)


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


@pytest.mark.parametrize("interval", ["500ms", "2s", "1m", "1h"])
def test_good_intervals_pass(interval: str) -> None:
    assert HAPROXY.check({"name": "lb", **GOOD, "check_interval": interval, "port": 1}) == []
