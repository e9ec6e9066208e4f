"""Every task service and cluster declaration joins the registry through its package's entry point, by its
type token, with its kind, its category and its exported config model, each field of which is documented."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from provisioning.components.clusters.web_stack import WEB_STACK, WebStackConfig
from provisioning.components.taskservs.custom_database import CUSTOM_DATABASE, CustomDatabaseConfig
from provisioning.components.taskservs.haproxy import HAPROXY, HAProxyConfig
from provisioning.components.taskservs.mariadb import MARIADB, MariaDBConfig
from provisioning.components.taskservs.postgresql import POSTGRESQL, PostgreSQLConfig
from provisioning.components.taskservs.prometheus import PROMETHEUS, PrometheusConfig
from provisioning.components.taskservs.webapp import WEBAPP, WebAppConfig
from provisioning.sdk import registry
from provisioning.sdk.registry import Declaration

from .taskservs.mocks import undocumented_fields

DECLARED: list[tuple[Declaration, str, str, str | None, type[BaseModel]]] = [
    (CUSTOM_DATABASE, "provisioning:taskservs:CustomDatabase", "taskserv", "database", CustomDatabaseConfig),
    (HAPROXY, "provisioning:taskservs:HAProxy", "taskserv", "load-balancer", HAProxyConfig),
    (MARIADB, "provisioning:taskservs:MariaDB", "taskserv", "database", MariaDBConfig),
    (POSTGRESQL, "provisioning:taskservs:PostgreSQL", "taskserv", "database", PostgreSQLConfig),
    (PROMETHEUS, "provisioning:taskservs:Prometheus", "taskserv", "monitoring", PrometheusConfig),
    (WEBAPP, "provisioning:taskservs:WebApp", "taskserv", "application", WebAppConfig),
    (WEB_STACK, "provisioning:clusters:WebStack", "cluster", None, WebStackConfig),
]
"""(declaration, type token, kind, category, config model)."""


@pytest.mark.parametrize(
    ("declaration", "token", "kind", "category", "model"), DECLARED, ids=[row[1] for row in DECLARED]
)
def test_the_declaration_is_registered_by_type_token(
    declaration: Declaration, token: str, kind: str, category: str | None, model: type[BaseModel]
) -> None:
    found = registry.declarations()[token]
    assert found is declaration and registry.declaration_for_type(token) is found
    assert (found.kind, found.category) == (kind, category) and found.model is model


@pytest.mark.parametrize("model", [row[-1] for row in DECLARED], ids=lambda model: model.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    assert undocumented_fields(model) == []
