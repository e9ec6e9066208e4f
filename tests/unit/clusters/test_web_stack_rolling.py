"""How a WebStack's resize goes through a tier (components/clusters/web_stack/rolling.py): batches that
always leave a server serving, each server's previous batch, and what `pulumi preview` says for each tier
and size. The hooks that drain and put back run on the engine: tests/e2e/test_web_stack_day_two.py."""

from __future__ import annotations

import pytest

from provisioning.components.clusters.web_stack import WebStackConfig
from provisioning.components.clusters.web_stack.blueprint import placements
from provisioning.components.clusters.web_stack.rolling import (
    batch_sizes,
    previous_batch,
    registration_order,
    resize_notice,
    roll_batch_size,
)


@pytest.mark.parametrize(
    ("servers", "requested", "batch"),
    [(1, 1, 1), (2, 1, 1), (2, 2, 1), (3, 2, 2), (5, 3, 3), (5, 10, 4)],
)
def test_a_batch_leaves_one_server_serving(servers: int, requested: int, batch: int) -> None:
    assert roll_batch_size(servers, requested) == batch


def test_each_batch_follows_the_previous_one() -> None:
    names = ["a", "b", "c", "d", "e"]
    assert [previous_batch(names, i, 2) for i in range(5)] == [[], [], ["a", "b"], ["a", "b"], ["c", "d"]]
    assert [previous_batch(names, i, 1) for i in range(3)] == [[], ["a"], ["b"]]


def test_the_app_tier_rolls_in_its_batches_the_web_tier_one_at_a_time() -> None:
    config = WebStackConfig.model_validate(
        {"app_name": "shop", "app_tier": {"replicas": 3, "update_batch_size": 2}, "web_tier": {"replicas": 2}}
    )
    assert batch_sizes(config) == {"app": 2, "web": 1}
    single = WebStackConfig.model_validate(
        {"app_name": "shop", "app_tier": {"replicas": 1, "update_batch_size": 3}}
    )
    assert batch_sizes(single)["app"] == 1


def test_a_rolling_resize_says_it_rolls() -> None:
    notice = resize_notice("app", "shop-app-0", "large", "xlarge", servers=2, batch=1, fronted=True)
    assert notice is not None and notice.rolls and notice.field == "app_tier.instance_type"
    assert notice.message.startswith(
        "app_tier.instance_type: server shop-app-0 is resized (large -> xlarge) in a rolling update: drained "
        "from every web server's HAProxy"
    )
    assert notice.message.endswith(
        "one server at a time; the other app servers serve meanwhile (the tier has one server fewer while it "
        "runs)"
    )
    batch = resize_notice("app", "shop-app-0", "large", "xlarge", servers=5, batch=2, fronted=True)
    assert batch is not None and "2 servers at a time" in batch.message
    web = resize_notice("web", "shop-web-1", "medium", "large", servers=3, batch=1, fronted=True)
    assert web is not None and "drained from the load balancer's HAProxy" in web.message


@pytest.mark.parametrize("tier", ["app", "web"])
def test_a_tier_of_one_server_cannot_roll_and_says_so(tier: str) -> None:
    notice = resize_notice(tier, f"shop-{tier}-0", "large", "xlarge", servers=1, batch=1, fronted=True)
    assert notice is not None and not notice.rolls
    assert notice.message == (
        f"{tier}_tier.instance_type: server shop-{tier}-0 is stopped, resized (large -> xlarge) and started: "
        f"the {tier} tier has one server, so the resize cannot roll: the stack answers 503 until it is back; "
        f"add a replica first ({tier}_tier.replicas 2) to resize without downtime"
    )


def test_web_servers_without_a_load_balancer_cannot_roll() -> None:
    notice = resize_notice("web", "shop-web-0", "medium", "large", servers=2, batch=1, fronted=False)
    assert notice is not None and not notice.rolls
    assert "no load balancer is in front of the web servers, so the resize cannot roll" in notice.message


def test_the_database_tier_warns_of_its_downtime() -> None:
    notice = resize_notice(
        "database", "shop-db-primary", "xlarge", "large", servers=2, batch=1, fronted=False
    )
    assert notice is not None and not notice.rolls
    assert "the database does not answer until it is back" in notice.message
    assert (
        resize_notice("monitoring", "shop-monitoring-0", "small", "medium", servers=1, batch=1, fronted=False)
        is None
    )


def test_servers_are_registered_after_the_proxies_in_front_of_them() -> None:
    config = WebStackConfig.model_validate({"app_name": "shop", "app_tier": {"replicas": 2}})
    order = [p.suffix for p in registration_order(placements(config))]
    assert order.index("lb-0") < order.index("web-0") < order.index("web-2") < order.index("app-0")
    assert order[-2:] == ["app-0", "app-1"] and order[0] == "db-primary"
