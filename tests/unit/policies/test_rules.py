"""Every rule of the pack on passing and failing properties, through pulumi-policy's own types."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.policies import all_policies

from ._harness import check_resource, check_stack, remediate, resource

SERVER = "pulumi-python:dynamic/custom-cloud:Server"
VOLUME = "pulumi-python:dynamic/custom-cloud:Volume"
LB = "pulumi-python:dynamic/custom-cloud:LoadBalancer"
DATABASE = "provisioning:taskservs:CustomDatabase"
GOOD_SERVER: dict[str, Any] = {"name": "web", "machine_type": "small", "zone": "us-west-1a", "labels": {}}


def test_every_rule_has_a_name_description_severity_and_level() -> None:
    names = [p.name for p in all_policies()]
    assert len(names) == len(set(names))
    for p in all_policies():
        assert p.description and p.enforcement_level is not None, p.name
    assert {
        "custom-cloud-server-schema",
        "custom-cloud-server-catalog",
        "stack-budget",
        "default-labels",
    } <= set(names)


@pytest.mark.parametrize(
    ("policy", "props", "words"),
    [
        ("custom-cloud-server-schema", {"disk_size": 5}, "disk_size = 5: disk_size must be at least 10GB"),
        (
            "custom-cloud-server-schema",
            {"labels": {"k" * 64: "v"}},
            "String should have at most 63 characters",
        ),
        ("custom-cloud-server-schema", {"user_data": "x" * 65537}, "user_data"),
        ("custom-cloud-server-catalog", {"machine_type": ""}, "machine_type cannot be empty"),
        ("custom-cloud-server-catalog", {"machine_type": "huge"}, "unknown machine_type 'huge'"),
        ("custom-cloud-server-catalog", {"zone": "mars-1a"}, "unknown zone 'mars-1a'"),
        ("custom-cloud-server-catalog", {"zone": "eu-west-1a", "region": "us-west-1"}, "is not in region"),
    ],
)
def test_server_rules_fail_naming_resource_property_value_and_rule(
    policy: str, props: dict[str, Any], words: str
) -> None:
    reported = check_resource(policy, SERVER, {**GOOD_SERVER, **props})
    assert len(reported.messages) == 1 and words in reported.messages[0], reported.messages
    assert reported.messages[0].startswith("custom-cloud:Server 'r': ")
    assert check_resource(policy, SERVER, GOOD_SERVER).messages == []


def test_schema_and_catalog_split_one_declarations_rules() -> None:
    props = {**GOOD_SERVER, "disk_size": 5, "machine_type": "huge"}
    assert [
        m.split(": ")[1] for m in check_resource("custom-cloud-server-schema", SERVER, props).messages
    ] == ["disk_size = 5"]
    assert [
        m.split(": ")[1] for m in check_resource("custom-cloud-server-catalog", SERVER, props).messages
    ] == ["machine_type = 'huge'"]


def test_other_resource_types_are_left_alone() -> None:
    assert check_resource("custom-cloud-server-schema", VOLUME, {"disk_size": 5}).messages == []


def test_database_schema_from_its_declaration() -> None:
    reported = check_resource(
        "provisioning-taskservs-custom-database-schema", DATABASE, {"name": "db", "port": 80}
    )
    assert any("port must be between 1024 and 65535" in m for m in reported.messages), reported.messages


def _servers(*costs: float) -> list[Any]:
    return [
        resource(SERVER, f"s{i}", {**GOOD_SERVER, "estimated_hourly_cost": c}) for i, c in enumerate(costs)
    ]


def test_budget_names_the_total_and_the_largest_items() -> None:
    assert check_stack("stack-budget", _servers(0.07, 0.15)).not_applicable == "no max_hourly_cost configured"
    assert check_stack("stack-budget", _servers(0.07, 0.15), {"max_hourly_cost": 0.5}).messages == []
    [message] = check_stack("stack-budget", _servers(0.07, 0.15, 0.4), {"max_hourly_cost": 0.5}).messages
    assert "0.6200 USD/hour, over the budget of 0.5000" in message
    assert message.endswith("largest: custom-cloud:Server 's2' 0.4000, custom-cloud:Server 's1' 0.1500, "
                            "custom-cloud:Server 's0' 0.0700")  # fmt: skip


def _database(stack: str, **props: Any) -> Any:
    host = resource(SERVER, "db-host", {**GOOD_SERVER, "external_ip": True}, stack=stack)
    return [host, resource(DATABASE, "orders", {"name": "orders", **props}, stack=stack, dependencies=[host])]


@pytest.mark.parametrize(
    ("policy", "good", "words"),
    [
        ("production-ssl", {"ssl": {"enabled": True}}, "ssl.enabled is off"),
        ("production-backups", {"backup": {"enabled": True}}, "backup.enabled is off"),
        ("production-high-availability", {"replication": {"enabled": True}}, "replication.enabled is off"),
    ],
)
def test_production_rules_apply_to_production_stacks_only(
    policy: str, good: dict[str, Any], words: str
) -> None:
    [message] = check_stack(policy, _database("prod")).messages
    assert "database 'orders'" in message and words in message
    assert check_stack(policy, _database("prod", **good)).messages == []
    assert check_stack(policy, _database("dev")).not_applicable == "not a production stack"
    assert check_stack(policy, _database("dev"), {"environment": "production"}).messages  # configured
    assert check_stack(policy, _database("prod-eu"), {"environment": "staging"}).not_applicable


def test_production_database_servers_stay_private() -> None:
    [message] = check_stack("production-private-databases", _database("production")).messages
    assert "server 'db-host' runs database 'orders' and has a public IP" in message


def test_production_load_balancers_serve_tls() -> None:
    plain = resource(LB, "front", {"listeners": [{"port": 80, "target_port": 8080}]}, stack="prod")
    tls = resource(LB, "front", {"listeners": [{"port": 443, "target_port": 8443}]}, stack="prod")
    assert "no listener on port 443" in check_stack("production-ssl", [plain]).messages[0]
    assert check_stack("production-ssl", [tls]).messages == []


def test_required_labels() -> None:
    servers = [resource(SERVER, "a", {**GOOD_SERVER, "labels": {"owner": "x"}})]
    [message] = check_stack("required-labels", servers, {"labels": ["owner", "cost_center"]}).messages
    assert message == "server 'a': labels cost_center are required (labels)"
    assert check_stack("required-labels", servers).not_applicable == "no labels required"


def test_default_labels_remediation_adds_only_what_is_missing() -> None:
    config = {"labels": {"owner": "platform", "cost_center": "cc-1"}}
    props = {**GOOD_SERVER, "labels": {"owner": "shop"}}
    changed = remediate("default-labels", SERVER, props, config)
    assert changed["labels"] == {"owner": "shop", "cost_center": "cc-1"}
    assert (
        remediate("default-labels", SERVER, {**props, "labels": {"owner": "a", "cost_center": "b"}}, config)
        is None
    )
    [message] = check_resource("default-labels", SERVER, props, config).messages
    assert "default labels cost_center are missing" in message


def test_a_limit_added_to_a_declaration_reaches_the_pack_with_no_change_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typing import Annotated

    from pydantic import BaseModel, Field

    from provisioning.sdk import registry

    class Widget(BaseModel):
        """A fixture resource."""

        size: Annotated[int, Field(le=5)] = 1
        """At most 5."""

    monkeypatch.setattr(registry, "_registry", dict(registry._registry))
    registry.register(registry.Declaration("fixture:Widget", Widget))
    reported = check_resource("fixture-widget-schema", "pulumi-python:dynamic/fixture:Widget", {"size": 6})
    assert reported.messages == ["fixture:Widget 'r': size = 6: Input should be less than or equal to 5"]
