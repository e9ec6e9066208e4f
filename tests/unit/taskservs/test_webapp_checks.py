"""Every WebApp rule, through the registry (what the policy pack runs) and through the component's
constructor (what fails `pulumi preview`): the message names the field, the value and the rule, and
nothing is registered."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.components.taskservs.webapp import WEBAPP, WebAppConfig

from .mocks import target
from .rule_table import Row, broken, rule_tests

GOOD: dict[str, Any] = {"database": {"host": "shop-db-primary"}}

LOWERCASE = "must be 1 to 63 lowercase letters, digits and '_', not starting with a digit"


def _build(values: dict[str, Any]) -> object:
    from provisioning.components.taskservs.webapp import WebApp

    return WebApp("app", {**GOOD, **values}, target=target("10.0.0.9"), database_password="pw")


ROWS: list[Row] = [
    broken("port", 80, "port must be between 1024 and 65535"),
    broken("port", 65536, "port must be between 1024 and 65535"),
    broken("app_name", "", "app_name '' must be 1 to 63 letters, digits, spaces and . _ -"),
    broken(
        "environment",
        "Prod",
        "environment 'Prod' must be 1 to 32 lowercase letters, digits and '-', first a letter",
    ),
    broken("version", "1 .0", "version '1 .0' must be 1 to 64 letters, digits and . _ + -"),
    broken(
        "health_check_path",
        "health",
        "health_check_path 'health' must be a path starting with '/' of letters, digits and . _ ~ / -",
    ),
    broken("drain_seconds", -1, "drain_seconds must be between 0 and 300"),
    broken("drain_seconds", 301, "drain_seconds must be between 0 and 300"),
    broken(
        "database.kind",
        "oracle",
        "unknown kind 'oracle'; known: postgresql, mysql",
        given={"database": {"kind": "oracle", "host": "db"}},
    ),
    broken("database.host", "db; rm -rf /", "host 'db; rm -rf /' must be an IP address or host name"),
    broken(
        "database.port",
        0,
        "port must be between 1 and 65535",
        given={"database": {"host": "db", "port": 0}},
    ),
    broken(
        "database.name",
        "App",
        f"name 'App' {LOWERCASE}",
        given={"database": {"host": "db", "name": "App"}},
    ),
    broken(
        "database.user",
        "1app",
        f"user '1app' {LOWERCASE}",
        given={"database": {"host": "db", "user": "1app"}},
    ),
    # cross-field rules
    broken(
        "health_check_path",
        "/metrics",
        "health_check_path '/metrics' is one of the application's own paths "
        "(/, /version, /metrics, /work, /items); choose another (/health)",
    ),
]
TestRules = rule_tests(WEBAPP, {"name": "app", **GOOD}, "WebApp 'app'", _build, ROWS)


def test_defaults() -> None:
    config = WebAppConfig(name="app", **GOOD)
    dumped = config.model_dump()
    assert dumped["app_name"] == "webapp" and dumped["environment"] == "production"
    assert dumped["version"] == "latest" and dumped["port"] == 8080
    assert dumped["health_check_path"] == "/health" and dumped["drain_seconds"] == 4
    assert dumped["database"] == {
        "kind": "postgresql", "host": "shop-db-primary", "port": None, "name": "app", "user": "app",
    }  # fmt: skip
    assert config.database.effective_port == 5432
    assert WebAppConfig(name="app", database={"kind": "mysql", "host": "db"}).database.effective_port == 3306


def test_the_database_is_required() -> None:
    [found] = WEBAPP.check({"name": "app"})
    assert found.field == "database"


@pytest.mark.parametrize("version", ["latest", "1.2.3", "2026.11.25-rc1", "v2+build.7"])
def test_good_versions_pass(version: str) -> None:
    assert WEBAPP.check({"name": "app", **GOOD, "version": version}) == []


@pytest.mark.parametrize("host", ["10.70.0.5", "shop-db-primary", "db.internal.example", "fd00::5"])
def test_good_database_hosts_pass(host: str) -> None:
    assert WEBAPP.check({"name": "app", "database": {"host": host}}) == []
