"""Every WebApp rule, through the registry (what the policy pack runs) and through the component's
constructor (what fails `pulumi preview`): the message names the field, the value and the rule, and
nothing is registered."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.components.taskservs.webapp import WEBAPP, WebAppConfig
from provisioning.sdk import registry

from .mocks import case_ids, refused, target, undocumented_fields

GOOD: dict[str, Any] = {"database": {"host": "shop-db-primary"}}

BAD: list[tuple[dict[str, Any], str, Any, str]] = [
    ({"port": 80}, "port", 80, "port must be between 1024 and 65535"),
    ({"port": 65536}, "port", 65536, "port must be between 1024 and 65535"),
    ({"app_name": ""}, "app_name", "", "app_name '' must be 1 to 63 letters, digits, spaces and . _ -"),
    (
        {"environment": "Prod"},
        "environment",
        "Prod",
        "environment 'Prod' must be 1 to 32 lowercase letters, digits and '-', first a letter",
    ),
    ({"version": "1 .0"}, "version", "1 .0", "version '1 .0' must be 1 to 64 letters, digits and . _ + -"),
    (
        {"health_check_path": "health"},
        "health_check_path",
        "health",
        "health_check_path 'health' must be a path starting with '/' of letters, digits and . _ ~ / -",
    ),
    ({"drain_seconds": -1}, "drain_seconds", -1, "drain_seconds must be between 0 and 300"),
    ({"drain_seconds": 301}, "drain_seconds", 301, "drain_seconds must be between 0 and 300"),
    (
        {"database": {"kind": "oracle", "host": "db"}},
        "database.kind",
        "oracle",
        "unknown kind 'oracle'; known: postgresql, mysql",
    ),
    (
        {"database": {"host": "db; rm -rf /"}},
        "database.host",
        "db; rm -rf /",
        "host 'db; rm -rf /' must be an IP address or host name",
    ),
    ({"database": {"host": "db", "port": 0}}, "database.port", 0, "port must be between 1 and 65535"),
    (
        {"database": {"host": "db", "name": "App"}},
        "database.name",
        "App",
        "name 'App' must be 1 to 63 lowercase letters, digits and '_', not starting with a digit",
    ),
    (
        {"database": {"host": "db", "user": "1app"}},
        "database.user",
        "1app",
        "user '1app' must be 1 to 63 lowercase letters, digits and '_', not starting with a digit",
    ),
    # cross-field rules
    (
        {"health_check_path": "/metrics"},
        "health_check_path",
        "/metrics",
        "health_check_path '/metrics' is one of the application's own paths (/, /version, /metrics, /work, "
        "/items); choose another (/health)",
    ),
]
IDS = case_ids(BAD)


def test_the_declaration_is_registered_by_type_token() -> None:
    found = registry.declarations()["provisioning:taskservs:WebApp"]
    assert found is WEBAPP and found.kind == "taskserv" and found.category == "application"
    assert found.model is WebAppConfig


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
    assert WEBAPP.check({"name": "app", **GOOD}) == []


def test_the_database_is_required() -> None:
    [found] = WEBAPP.check({"name": "app"})
    assert found.field == "database"


def test_every_field_is_documented() -> None:
    assert undocumented_fields(WebAppConfig) == []


@pytest.mark.parametrize(("values", "field", "value", "rule"), BAD, ids=IDS)
def test_each_rule_names_field_value_and_rule(
    values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    [found] = WEBAPP.check({"name": "app", **GOOD, **values})
    assert (found.field, found.value, found.rule) == (field, value, rule)


@pytest.mark.parametrize(("values", "field", "value", "rule"), BAD, ids=IDS)
def test_the_component_fails_before_registering_anything(
    values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    from provisioning.components.taskservs.webapp import WebApp

    error = refused(
        lambda: WebApp("app", {**GOOD, **values}, target=target("10.0.0.9"), database_password="pw")
    )
    assert str(error) == f"WebApp 'app': invalid config: {field}: {rule} (got {value!r})"


@pytest.mark.parametrize("version", ["latest", "1.2.3", "2026.11.25-rc1", "v2+build.7"])
def test_good_versions_pass(version: str) -> None:
    assert WEBAPP.check({"name": "app", **GOOD, "version": version}) == []


@pytest.mark.parametrize("host", ["10.70.0.5", "shop-db-primary", "db.internal.example", "fd00::5"])
def test_good_database_hosts_pass(host: str) -> None:
    assert WEBAPP.check({"name": "app", "database": {"host": host}}) == []
