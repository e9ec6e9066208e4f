"""The WebStack field rows (tests/support/web_stack_fields.py) and the field guard's rules, without an engine:
every field gets a row with a change the declaration accepts, a field added to the model joins, one no rule
can change fails naming it, and a fixed field's change is refused naming the field, its values and its
loss."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from pydantic import Field

from provisioning.components.clusters.web_stack.spec import WEB_STACK, WebStackConfig, WebTierSettings
from provisioning.sdk.cluster.guard import field_values, refusals, warnings
from tests.support.web_stack_fields import get_path, leaves, rows, switch_off_last

NETWORK = {
    "vpc_cidr": "10.87.0.0/16",
    "public_subnets": ["10.87.1.0/24", "10.87.2.0/24"],
    "private_subnets": ["10.87.10.0/24", "10.87.20.0/24"],
    "database_subnets": ["10.87.100.0/24", "10.87.200.0/24"],
}
BASE: dict[str, Any] = {
    "app_name": "shop",
    "app_tier": {"replicas": 2, "auto_scaling": {"enabled": False}},
    "database_tier": {"high_availability": False},
    "monitoring": {"enabled": False},
    "network": NETWORK,
}


def test_every_field_has_a_row_named_by_its_path() -> None:
    found = [r for r in rows(BASE) if not r.back]
    assert [r.path for r in found if r.problem] == []
    assert sorted(r.path for r in found) == sorted(path for path, _ in leaves(WebStackConfig))
    assert {"web_tier.replicas", "database_tier.high_availability", "network.zones"} <= {
        r.path for r in found
    }


def test_each_change_is_valid_and_changes_its_field() -> None:
    for row in rows(BASE):
        assert WEB_STACK.check(row.config) == [], row.path
        assert row.after != row.before, row.path
        full = WebStackConfig.model_validate(row.config).model_dump(mode="json")
        assert get_path(full, row.path) == row.after, row.path


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        ("keep_data", False, True),
        ("web_tier.load_balancer.ssl", True, False),
        ("app_tier.auto_scaling.cpu_threshold", 70, 71),
        ("database_tier.instance_type", "t3.xlarge", "t3.large"),  # the catalog's nearest value
        ("monitoring.metrics_retention", "30d", "31d"),
        ("network.zones", ["us-west-1a", "us-west-1b"], ["us-west-1a", "us-west-1c"]),
        ("network.public_subnets", NETWORK["public_subnets"], ["10.87.1.0/24", "10.87.0.0/24"]),
    ],
)
def test_changes_come_from_types_bounds_catalogs_and_ranges(path: str, before: Any, after: Any) -> None:
    [row] = [r for r in rows(BASE) if r.path == path and not r.back]
    assert (row.before, row.after) == (before, after)


def test_a_range_moves_with_the_ranges_inside_it() -> None:
    [row] = [r for r in rows(BASE) if r.path == "network.vpc_cidr"]
    vpc = ipaddress.IPv4Network(row.after)
    assert vpc != ipaddress.IPv4Network(NETWORK["vpc_cidr"])
    for kind in ("public_subnets", "private_subnets", "database_subnets"):
        assert all(ipaddress.IPv4Network(s).subnet_of(vpc) for s in row.config["network"][kind])


def test_rows_follow_the_rows_before_them_and_skip_refused_and_elsewhere_ones() -> None:
    found = {r.path: r for r in rows(BASE, elsewhere={"app_tier.replicas"}) if not r.back}
    # auto scaling turned on first: min_replicas cannot rise above the 2 app servers, so it goes down
    assert found["app_tier.auto_scaling.enabled"].after is True
    assert found["app_tier.auto_scaling.min_replicas"].after == 1
    assert found["app_name"].fixed and found["app_version"].config["app_name"] == "shop"
    assert found["app_tier.auto_scaling.enabled"].config["app_tier"]["replicas"] == 2


def test_every_switch_turned_is_turned_back_last_in_reverse_order() -> None:
    found = rows(BASE, elsewhere={"web_tier.load_balancer.ssl"})
    turned = [r.path for r in found if isinstance(r.before, bool) and not r.back and not r.fixed]
    back = [r for r in found if r.back]
    assert found[-len(back) :] == back and [r.id for r in back] == [
        f"{p}-back" for p in reversed(turned) if p != "web_tier.load_balancer.ssl"
    ]
    deployed = WebStackConfig.model_validate(BASE).model_dump(mode="json")
    assert all(r.after == get_path(deployed, r.path) and r.problem is None for r in back)
    assert "database_tier.high_availability-back" in {r.id for r in back}


def test_a_switch_turned_off_comes_after_every_other_field() -> None:
    paths = [p for p, _ in leaves(WebStackConfig)]
    ordered = switch_off_last(paths, WebStackConfig(app_name="shop").model_dump(mode="json"))
    assert ordered[-3:] == [
        "web_tier.load_balancer.enabled",
        "app_tier.auto_scaling.enabled",
        "monitoring.enabled",
    ]
    assert sorted(ordered) == sorted(paths)
    off = switch_off_last(paths, {"monitoring": {"enabled": False}})
    assert off.index("monitoring.enabled") < off.index("monitoring.alerting")


class _WithMore(WebStackConfig):
    """WebStackConfig with a field added, and one that no rule can change."""

    log_level_count: int = 3
    opaque: dict[str, list[int]] = Field(default_factory=lambda: {"a": [1]})


def test_a_field_added_joins_and_one_without_a_rule_fails_naming_it() -> None:
    found = {r.path: r for r in rows(BASE, model=_WithMore) if not r.back}
    assert (found["log_level_count"].before, found["log_level_count"].after) == (3, 4)
    assert found["opaque"].after is None
    assert found["opaque"].problem and "opaque" in found["opaque"].problem


def test_a_fixed_field_change_is_refused_naming_field_values_and_loss() -> None:
    old = field_values(WebStackConfig(app_name="shop"))
    new = field_values(WebStackConfig(app_name="shop-2"))
    [(field, reason)] = refusals(old, new)
    assert field == "app_name"
    assert reason.startswith(
        "app_name cannot change on a deployed stack ('shop' -> 'shop-2'): it would replace"
    )
    assert "with its data" in reason
    assert refusals({}, new) == [] and refusals(new, new) == []  # a first deploy, and no change


def test_a_costly_field_change_warns() -> None:
    old = field_values(WebStackConfig(app_name="shop"))
    new = field_values(
        WebStackConfig(app_name="shop", web_tier=WebTierSettings(load_balancer={"enabled": False}))
    )
    [warning] = warnings(old, new)
    assert warning.startswith("web_tier.load_balancer.enabled True -> False: turned off, the load balancer")
    assert "downtime" in warning
