"""The WebStack blueprint from its config alone: the instance type table, both hourly costs (known at
preview), the servers and their subnets, the task service configs (host names where addresses go), and the
cluster base's /etc/hosts block and script."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provisioning.components.clusters.web_stack import INSTANCE_TYPES, WebStackConfig, machine_type
from provisioning.components.clusters.web_stack.blueprint import (
    alert_rules,
    database_config,
    haproxy_config,
    placements,
    scrape_jobs,
    webapp_config,
)
from provisioning.components.clusters.web_stack.component import WebStack
from provisioning.providers.custom_cloud.api import catalog
from provisioning.sdk.cluster import hosts_block, hosts_script

SMALL = WebStackConfig(
    app_name="shop",
    web_tier={"replicas": 2},
    app_tier={"replicas": 3, "update_batch_size": 2},
    network={"vpc_cidr": "10.80.0.0/16", "public_subnets": ["10.80.1.0/24", "10.80.2.0/24"],
             "private_subnets": ["10.80.10.0/24", "10.80.20.0/24"],
             "database_subnets": ["10.80.100.0/24", "10.80.200.0/24"]},
)  # fmt: skip


def test_every_instance_type_maps_to_a_catalog_machine_type() -> None:
    assert set(INSTANCE_TYPES.values()) <= set(catalog.MACHINE_TYPES)
    assert [machine_type(t) for t in ("t3.micro", "t3.small", "t3.medium", "t3.large", "t3.xlarge")] == [
        "micro",
        "small",
        "medium",
        "large",
        "xlarge",
    ]
    assert machine_type("large") == "large"
    with pytest.raises(ValueError, match="unknown instance_type 'z1.huge'; known: t3.micro"):
        machine_type("z1.huge")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, 3 * 0.10 + 5 * 0.20 + 0.80 + 0.05),
        ({"database_tier": {"high_availability": False}}, 3 * 0.10 + 5 * 0.20 + 0.40 + 0.05),
        ({"web_tier": {"replicas": 2}, "app_tier": {"replicas": 2}}, 2 * 0.10 + 2 * 0.20 + 0.80 + 0.05),
        ({"web_tier": {"load_balancer": {"enabled": False}}}, 3 * 0.10 + 5 * 0.20 + 0.80),
    ],
)
def test_the_estimated_cost_is_the_stacks_own_formula(values: dict[str, object], expected: float) -> None:
    config = WebStackConfig(app_name="shop", **values)  # type: ignore[arg-type]
    assert WebStack.estimated_cost(None, config) == pytest.approx(expected)  # type: ignore[arg-type]


def test_the_provider_cost_prices_every_server_at_the_catalogs_prices() -> None:
    config = WebStackConfig(app_name="shop")
    # db 2 × xlarge, app 5 × large, web 3 × medium, load balancer and monitoring small; 20 GB disks
    expected = 2 * 0.40 + 5 * 0.20 + 3 * 0.10 + 2 * 0.05 + 12 * 20 * catalog.STORAGE_GB_HOUR
    assert WebStack.provider_cost(None, config) == pytest.approx(expected)  # type: ignore[arg-type]


def test_the_servers_their_tiers_and_subnets() -> None:
    found = [
        (p.name, p.tier, p.role, p.subnet_kind, p.subnet_index, p.external_ip) for p in placements(SMALL)
    ]
    assert found == [
        ("shop-db-primary", "database", "primary", "database", 0, False),
        ("shop-db-replica", "database", "replica", "database", 1, False),
        ("shop-app-0", "app", "app", "private", 0, False),
        ("shop-app-1", "app", "app", "private", 1, False),
        ("shop-app-2", "app", "app", "private", 0, False),
        ("shop-web-0", "web", "web", "public", 0, False),
        ("shop-web-1", "web", "web", "public", 1, False),
        ("shop-lb-0", "load_balancer", "load-balancer", "public", 0, True),
        ("shop-monitoring-0", "monitoring", "monitoring", "private", 0, False),
    ]
    lean = WebStackConfig(
        app_name="shop", monitoring={"enabled": False}, database_tier={"high_availability": False}
    )
    assert [p.name for p in placements(lean)][:2] == ["shop-db-primary", "shop-app-0"]
    assert "shop-monitoring-0" not in [p.name for p in placements(lean)]


def test_each_server_names_only_the_tiers_it_talks_to() -> None:
    talks = {p.tier: p.talks_to for p in placements(SMALL)}
    assert talks["app"] == ("database",) and talks["web"] == ("app",) and talks["load_balancer"] == ("web",)
    assert set(talks["monitoring"]) == {"database", "app", "web", "load_balancer", "monitoring"}


def test_task_service_configs_name_servers_by_host_name() -> None:
    servers = placements(SMALL)
    app = next(p for p in servers if p.name == "shop-app-0")
    assert webapp_config(SMALL, app)["database"] == {
        "kind": "postgresql",
        "host": "shop-db-primary",
        "port": 5432,
        "name": "shop",
        "user": "shop",
    }
    web = next(p for p in servers if p.name == "shop-web-0")
    proxy = haproxy_config(SMALL, web, [p for p in servers if p.tier == "app"])
    assert [(b["address"], b["port"]) for b in proxy["backends"]] == [
        ("shop-app-0", 8080),
        ("shop-app-1", 8080),
        ("shop-app-2", 8080),
    ]
    assert "ssl" not in proxy
    lb = next(p for p in servers if p.tier == "load_balancer")
    balancer = haproxy_config(SMALL, lb, [p for p in servers if p.tier == "web"])
    assert balancer["ssl"] == {"enabled": True} and balancer["backends"][1]["address"] == "shop-web-1"
    assert balancer["health_check_path"] == "/health"


def test_the_database_config_follows_the_tier() -> None:
    assert database_config(SMALL) == {
        "name": "shop-db",
        "replication": {"enabled": True, "replicas": 1},
        "backup": {"enabled": True},
        "monitoring": {"enabled": True},
        "keep_data": False,
        "users": [{"name": "shop"}],
        "databases": [{"name": "shop", "owner": "shop"}],
    }
    custom = WebStackConfig(app_name="my-shop", database_tier={"type": "custom-database"})
    assert "users" not in database_config(custom)
    mysql = WebStackConfig(app_name="my-shop", database_tier={"type": "mysql"})
    app = placements(mysql)[2]
    assert webapp_config(mysql, app)["database"]["kind"] == "mysql"
    assert webapp_config(mysql, app)["database"]["name"] == "my_shop"


def test_prometheus_scrapes_nodes_app_database_and_haproxy_by_host_name() -> None:
    jobs = {job["job"]: job["targets"] for job in scrape_jobs(SMALL, placements(SMALL))}
    assert len(jobs["node"]) == 9 and "shop-lb-0:9100" in jobs["node"]
    assert jobs["app"] == ["shop-app-0:8080", "shop-app-1:8080", "shop-app-2:8080"]
    assert jobs["database"] == ["shop-db-primary:9187", "shop-db-replica:9187"]
    assert jobs["haproxy"] == ["shop-web-0:8404", "shop-web-1:8404", "shop-lb-0:8404"]
    [down, cpu] = alert_rules(SMALL)
    assert down["expr"] == "up == 0" and cpu["expr"].endswith("* 100 > 70")


def test_the_hosts_block_and_script(tmp_path: Path) -> None:
    block = hosts_block("shop", {"shop-web-0": "10.80.1.5", "shop-app-0": "10.80.10.4"})
    assert block.splitlines() == [
        "# BEGIN provisioning cluster shop",
        "10.80.10.4 shop-app-0",
        "10.80.1.5 shop-web-0",
        "# END provisioning cluster shop",
    ]
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        hosts_block("shop", {"shop-web-0": "10.80.1.5; rm -rf /"})
    for entries in ({"shop-web-0": "10.80.1.5"}, None):
        script = tmp_path / "hosts.sh"
        script.write_text(hosts_script("shop", entries))
        assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0
