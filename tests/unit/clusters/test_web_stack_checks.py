"""Every WebStack rule, through the registry (what the policy pack runs) and through the component's
constructor under Pulumi mocks (what fails `pulumi preview`): the message names the field, the value and
the rule, and nothing is registered."""

from __future__ import annotations

from typing import Any

import pulumi

from provisioning.components.clusters.web_stack import WEB_STACK, WebStackConfig
from provisioning.sdk.taskservice import InvalidConfig

from ..taskservs.mocks import refused
from ..taskservs.rule_table import Row, broken, rule_tests

GOOD: dict[str, Any] = {"app_name": "shop"}


def _stack(values: dict[str, Any]) -> object:
    """A WebStack `shop` configured with GOOD and `values`."""
    from provisioning.components.clusters.web_stack import WebStack

    return WebStack(
        "shop",
        {**GOOD, **values},
        ssh_public_key="ssh-ed25519 AAAA",
        ssh_private_key=pulumi.Output.secret("not-a-key"),
        database_password=pulumi.Output.secret("not-a-password"),
    )


ROWS: list[Row] = [
    broken("app_name", "", "app_name cannot be empty"),
    broken(
        "app_name",
        "Shop_1",
        "app_name 'Shop_1' must be 1 to 40 lowercase letters, digits and dashes, starting with a letter "
        "and not ending with a dash",
    ),
    broken("web_tier.replicas", 0, "web_tier replicas must be at least 1"),
    broken("app_tier.replicas", 0, "app_tier replicas must be at least 1"),
    broken("app_tier.update_batch_size", 0, "app_tier update_batch_size must be at least 1"),
    broken("app_tier.auto_scaling.min_replicas", 0, "app_tier.auto_scaling min_replicas must be at least 1"),
    broken("app_tier.auto_scaling.cpu_threshold", 0, "cpu_threshold must be between 1 and 100"),
    broken(
        "app_tier.auto_scaling.min_replicas",
        4,
        "app_tier.auto_scaling min_replicas (4) must not exceed max_replicas (3)",
        given={"app_tier": {"replicas": 3, "auto_scaling": {"min_replicas": 4, "max_replicas": 3}}},
    ),
    broken(
        "app_tier.replicas",
        11,
        "app_tier replicas must be within auto_scaling min_replicas 2 and max_replicas 10 while auto "
        "scaling is enabled",
    ),
    broken(
        "web_tier.instance_type",
        "t3.huge",
        "unknown instance_type 't3.huge'; known: t3.micro, t3.small, t3.medium, t3.large, t3.xlarge, "
        "m5.large, m5.xlarge, c5.large, c5.xlarge, c5.2xlarge, micro, small, medium, large, xlarge",
    ),
    broken(
        "database_tier.type", "oracle", "unknown type 'oracle'; known: postgresql, mysql, custom-database"
    ),
    broken(
        "web_tier.load_balancer.health_check_path",
        "health",
        "health_check_path 'health' must be a path starting with '/' of letters, digits and . _ ~ / -",
    ),
    broken(
        "monitoring.metrics_retention",
        "30days",
        "metrics_retention '30days' must be a duration: a whole number and ms, s, m, h, d, w or y (15s, 30d)",
    ),
    broken(
        "network.vpc_cidr",
        "10.0.0.1/16",
        "vpc_cidr '10.0.0.1/16' must be an IPv4 network with its host bits clear (10.0.1.0/24)",
    ),
    broken("network.public_subnets", [], "public_subnets must list at least one subnet"),
    broken(
        "network.public_subnets.0",
        "10.1.1.0/24",
        "network.public_subnets.0 10.1.1.0/24 must be inside vpc_cidr 10.0.0.0/16",
        given={"network": {"public_subnets": ["10.1.1.0/24"]}},
    ),
    broken(
        "network.vpc_cidr",
        "10.9.0.0/24",
        "network.vpc_cidr 10.9.0.0/24 is too small for the subnets to follow it (at most /20): give "
        "public_subnets, private_subnets and database_subnets",
    ),
    broken(
        "network.database_subnets.1",
        "10.0.1.128/25",
        "network.database_subnets.1 10.0.1.128/25 overlaps network.public_subnets.0 10.0.1.0/24",
        given={"network": {"database_subnets": ["10.0.100.0/24", "10.0.1.128/25"]}},
    ),
    broken(
        "network.zones.0",
        "mars-1a",
        "unknown zones 'mars-1a'; known: us-west-1a, us-west-1b, us-west-1c, us-west-2a, us-west-2b, "
        "us-west-2c, us-east-1a, us-east-1b, us-east-1c, eu-west-1a, eu-west-1b, eu-west-1c",
        given={"network": {"zones": ["mars-1a"]}},
    ),
    broken(
        "environment",
        "Prod",
        "environment 'Prod' must be 1 to 32 lowercase letters, digits and '-', first a letter",
    ),
]
TestRules = rule_tests(WEB_STACK, GOOD, "WebStack 'shop'", _stack, ROWS)


def test_defaults_are_the_guides() -> None:
    config = WebStackConfig(app_name="shop")
    assert config.model_dump() == {
        "environment": "production",
        "keep_data": False,
        "app_name": "shop",
        "app_version": "latest",
        "web_tier": {
            "replicas": 3,
            "instance_type": "t3.medium",
            "load_balancer": {"enabled": True, "ssl": True, "health_check_path": "/health"},
        },
        "app_tier": {
            "replicas": 5,
            "instance_type": "t3.large",
            "auto_scaling": {"enabled": True, "min_replicas": 2, "max_replicas": 10, "cpu_threshold": 70},
            "update_batch_size": 1,
        },
        "database_tier": {
            "type": "postgresql",
            "instance_type": "t3.xlarge",
            "high_availability": True,
            "backup_enabled": True,
        },
        "monitoring": {"enabled": True, "metrics_retention": "30d", "alerting": True},
        "network": {
            "vpc_cidr": "10.0.0.0/16",
            "public_subnets": ["10.0.1.0/24", "10.0.2.0/24"],
            "private_subnets": ["10.0.10.0/24", "10.0.20.0/24"],
            "database_subnets": ["10.0.100.0/24", "10.0.200.0/24"],
            "zones": ["us-west-1a", "us-west-1b"],
        },
    }


def _refused_stack(values: dict[str, Any]) -> InvalidConfig:
    """The `InvalidConfig` that `_stack(values)` raises at preview, having registered nothing."""
    return refused(lambda: _stack(values))


def test_a_misspelt_field_is_named_with_the_known_ones() -> None:
    raised = _refused_stack({"app_tier": {"replica": 2}})
    assert "app_tier.replica: unknown field 'replica'; known: auto_scaling, instance_type" in str(raised)


def test_the_apps_own_rules_are_named_by_the_stacks_field() -> None:
    raised = _refused_stack({"web_tier": {"load_balancer": {"health_check_path": "/version"}}})
    [found] = raised.violations
    assert (found.field, found.value) == ("web_tier.load_balancer.health_check_path", "/version")
    assert "is one of the application's own paths" in found.rule


def test_the_declared_subnet_defaults_are_the_blocks_the_default_vpc_gives() -> None:
    from provisioning.components.clusters.web_stack.spec import NetworkSettings, subnets_of

    declared = NetworkSettings()
    derived = subnets_of(declared.vpc_cidr)
    assert derived == {kind: getattr(declared, kind) for kind in derived or {}} and derived
