"""The WebStack's resource graph under Pulumi mocks: the servers of each tier with their names, subnets and
machine types, the /etc/hosts block on each server, the task services on them, and the dependencies that
order the blueprint (database before the app, the app's releases in batches); the outputs, known at
preview. Ordering on the real engine: tests/e2e/test_web_stack*.py."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest

from provisioning.sdk import ssh

SERVER_OUTPUTS = ("private_ip", "public_ip", "ssh_host", "ssh_port", "ssh_host_key_fingerprints")


@dataclass
class GraphMocks(pulumi.runtime.Mocks):
    """Records every resource with its inputs; servers get addresses; health steps report healthy."""

    created: dict[str, pulumi.runtime.MockResourceArgs] = field(default_factory=dict)
    dependencies: dict[str, set[str]] = field(default_factory=dict)
    addresses: int = 0

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created[args.name] = args
        outputs = dict(args.inputs)
        if "machine_type" in args.inputs:
            self.addresses += 1
            address = f"10.80.{zlib.crc32(args.name.encode()) % 250}.{len(args.name)}"  # stable per name
            outputs.update(
                private_ip=address,
                public_ip="100.77.0.9" if args.inputs.get("external_ip") else None,
                ssh_host=address,
                ssh_port=22,
                ssh_host_key_fingerprints=["SHA256:x"],
            )
        if args.typ == "command:remote:Command":
            outputs["stdout"] = (
                "check\tservice\tpass\tok\t2026-01-01T00:00:00Z\n" if args.name.endswith("-health") else ""
            )
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any] | None]:
        return {}, None


@pytest.fixture
def mocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphMocks]:
    monkeypatch.setattr(ssh, "verified_host_key", lambda host, port, fingerprints: "ssh-ed25519 AAAA")
    found = GraphMocks()
    pulumi.runtime.set_mocks(found, preview=False)
    monitor = pulumi.runtime.settings.SETTINGS.monitor
    register = monitor.RegisterResource

    def recording(request: Any) -> Any:
        found.dependencies[request.name] = {urn.rsplit("::", 1)[-1] for urn in request.dependencies}
        return register(request)

    monitor.RegisterResource = recording
    try:
        yield found
    finally:
        pulumi.runtime.settings.reset_options()


def _deploy(values: dict[str, Any], name: str = "shop") -> dict[str, Any]:
    """A WebStack `name` (app `shop`) with `values` under the mocks; its outputs once every registration is
    done."""
    from provisioning.components.clusters.web_stack import WebStack

    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> Any:
        stack = WebStack(
            name,
            {"app_name": "shop", **values},
            ssh_public_key="ssh-ed25519 AAAA test",
            ssh_private_key=pulumi.Output.secret("not-a-key"),
            database_password=pulumi.Output.secret("not-a-password"),
        )
        names = [
            "estimated_hourly_cost",
            "provider_hourly_cost",
            "endpoints",
            "components",
            "status",
            "healthy",
        ]
        found = pulumi.Output.all(*(getattr(stack, name) for name in names))
        return found.apply(lambda values: outputs.update(zip(names, values, strict=True)))

    run()
    return outputs


SMALL = {
    "web_tier": {"replicas": 2, "load_balancer": {"ssl": False}},
    "app_tier": {"replicas": 3, "update_batch_size": 2, "auto_scaling": {"enabled": False}},
    "network": {"vpc_cidr": "10.80.0.0/16", "public_subnets": ["10.80.1.0/24", "10.80.2.0/24"],
                "private_subnets": ["10.80.10.0/24", "10.80.20.0/24"],
                "database_subnets": ["10.80.100.0/24", "10.80.200.0/24"]},
}  # fmt: skip


def test_servers_per_tier_with_their_subnets_and_machine_types(mocks: GraphMocks) -> None:
    _deploy(SMALL)
    servers = {n: a.inputs for n, a in mocks.created.items() if "machine_type" in a.inputs}
    assert sorted(servers) == sorted(
        ["shop-db-primary", "shop-db-replica", "shop-app-0", "shop-app-1", "shop-app-2", "shop-web-0",
         "shop-web-1", "shop-lb-0", "shop-monitoring-0"]
    )  # fmt: skip
    assert {servers[n]["name"] for n in servers} == set(servers)
    assert servers["shop-web-0"]["machine_type"] == "medium"
    assert servers["shop-app-0"]["machine_type"] == "large"
    assert servers["shop-db-primary"]["machine_type"] == "xlarge"
    assert servers["shop-lb-0"]["external_ip"] is True and servers["shop-web-0"]["external_ip"] is False
    subnets = {n: a.inputs for n, a in mocks.created.items() if "network_id" in a.inputs}
    network = SMALL["network"]
    assert sorted(s["cidr"] for s in subnets.values()) == sorted(
        network["public_subnets"] + network["private_subnets"] + network["database_subnets"]
    )
    assert servers["shop-app-1"]["subnet"] == "shop-private-2-id"
    assert servers["shop-app-2"]["subnet"] == "shop-private-1-id"
    assert servers["shop-app-1"]["zone"] == "us-west-1b"
    assert servers["shop-db-primary"]["labels"] == {"cluster": "shop", "tier": "database", "role": "primary"}
    assert servers["shop-db-primary"]["keep_storage"] is False


def test_subnets_not_given_follow_the_vpc(mocks: GraphMocks) -> None:
    _deploy({**SMALL, "network": {"vpc_cidr": "10.81.0.0/16", "database_subnets": ["10.81.50.0/24"]}})
    cidrs = sorted(a.inputs["cidr"] for a in mocks.created.values() if "network_id" in a.inputs)
    assert cidrs == sorted(
        ["10.81.1.0/24", "10.81.2.0/24", "10.81.10.0/24", "10.81.20.0/24", "10.81.50.0/24"]
    )


def test_resources_take_the_components_name_and_servers_the_apps_as_docs_clusters_md_says(
    mocks: GraphMocks,
) -> None:
    _deploy(SMALL, name="web-stack")
    assert mocks.created["web-stack-app-2"].inputs["name"] == "shop-app-2"
    assert "web-stack-web-0-haproxy-configure" in mocks.created
    docs = (Path(__file__).parents[3] / "docs" / "clusters.md").read_text()
    quoted = (
        "+ custom-cloud:Server web-stack-app-2 (create)",
        "`shop-app-2`",
        "web-stack-web-0-haproxy-configure",
    )
    assert [q for q in quoted if q not in " ".join(docs.split())] == []


def test_keep_data_keeps_the_database_servers_disks(mocks: GraphMocks) -> None:
    _deploy({**SMALL, "keep_data": True})
    servers = {n: a.inputs for n, a in mocks.created.items() if "machine_type" in a.inputs}
    assert servers["shop-db-primary"]["keep_storage"] is True
    assert servers["shop-db-replica"]["keep_storage"] is True
    assert servers["shop-app-0"]["keep_storage"] is False


def test_each_server_gets_the_hosts_of_the_tiers_it_talks_to(mocks: GraphMocks) -> None:
    _deploy(SMALL)

    def block(server: str) -> set[str]:
        script = mocks.created[f"shop-{server}-hosts"].inputs["create"]
        body = script.split("# BEGIN provisioning cluster shop\n", 1)[1].split("\n# END")[0]
        return {line.split()[1] for line in body.splitlines()}

    assert block("web-0") == {"shop-web-0", "shop-app-0", "shop-app-1", "shop-app-2"}
    assert block("app-1") == {"shop-app-1", "shop-db-primary", "shop-db-replica"}
    assert block("lb-0") == {"shop-lb-0", "shop-web-0", "shop-web-1"}
    assert len(block("monitoring-0")) == 9


def test_the_blueprints_dependencies(mocks: GraphMocks) -> None:
    _deploy(SMALL)
    deps = mocks.dependencies
    # the app waits for its host names and the primary's health (its user and database), not the replica
    assert {"shop-app-0-hosts", "shop-db-health"} <= deps["shop-app-0-webapp"]
    assert not {d for d in deps["shop-app-0-webapp"] if d.startswith("shop-db-replica")}
    # releases in batches of 2: app-2's release waits for the releases of app-0 and app-1
    assert {"shop-app-0-webapp-release", "shop-app-1-webapp-release"} <= deps["shop-app-2-webapp-release"]
    assert "shop-app-0-webapp-release" not in deps["shop-app-1-webapp-release"]
    # each proxy waits for its /etc/hosts block
    assert "shop-web-1-hosts" in deps["shop-web-1-haproxy"] and "shop-lb-0-hosts" in deps["shop-lb-0-haproxy"]
    # a node exporter on every server
    assert len([n for n in mocks.created if n.endswith("-node-exporter-install")]) == 9


def test_the_network_and_every_server_wait_for_the_field_guard(mocks: GraphMocks) -> None:
    _deploy(SMALL)
    guard = mocks.created["shop-fields"].inputs
    assert guard["app_name"] == "shop" and guard["network.vpc_cidr"] == "10.80.0.0/16"
    assert guard["web_tier.load_balancer.enabled"] is True
    assert guard["__fields"]["network.zones"]["kind"] == "fixed"
    waiting = {n for n, a in mocks.created.items() if "machine_type" in a.inputs} | {"shop-vpc"}
    assert all("shop-fields" in mocks.dependencies[name] for name in waiting)


def test_servers_are_made_at_once(mocks: GraphMocks) -> None:
    _deploy(SMALL)
    servers = {n for n, a in mocks.created.items() if "machine_type" in a.inputs}
    # a rolling resize goes through the hooks' turns, not dependencies: no server waits for another
    assert all(not (mocks.dependencies[name] & servers) for name in servers)


def test_outputs_known_at_preview(mocks: GraphMocks) -> None:
    out = _deploy(SMALL)
    assert out["estimated_hourly_cost"] == pytest.approx(2 * 0.10 + 3 * 0.20 + 0.80 + 0.05)
    assert out["provider_hourly_cost"] == pytest.approx(
        2 * 0.40 + 3 * 0.20 + 2 * 0.10 + 2 * 0.05 + 9 * 20 * 0.001
    )
    endpoints = out["endpoints"]
    assert endpoints["web"] == "http://100.77.0.9"
    assert endpoints["monitoring"].startswith("http://10.80.") and endpoints["monitoring"].endswith(":9090")
    components = out["components"]
    assert sorted(components) == ["app", "database", "load_balancer", "monitoring", "web"]
    [primary, replica] = components["database"]
    assert primary["server"] == "shop-db-primary" and primary["role"] == "primary"
    assert replica["role"] == "replica" and replica["private_address"].startswith("10.80.")
    assert primary["services"][0]["type"] == "provisioning:taskservs:PostgreSQL"
    assert primary["services"][0]["urn"].endswith("::shop-db")
    assert [m["server"] for m in components["app"]] == ["shop-app-0", "shop-app-1", "shop-app-2"]
    assert out["status"]["app"] == {
        "healthy": True,
        "services": {f"shop-app-{i}-webapp": "running" for i in range(3)},
    }
    assert out["healthy"] is True


def _registered(monkeypatch: pytest.MonkeyPatch, tier: str, replicas: int) -> dict[str, dict[str, Any]]:
    """Every resource's inputs of SMALL with `tier`'s replicas set."""
    found = GraphMocks()
    monkeypatch.setattr(ssh, "verified_host_key", lambda host, port, fingerprints: "ssh-ed25519 AAAA")
    pulumi.runtime.set_mocks(found, preview=False)
    try:
        _deploy({**SMALL, tier: {**SMALL[tier], "replicas": replicas}})
    finally:
        pulumi.runtime.settings.reset_options()
    return {name: args.inputs for name, args in found.created.items()}


@pytest.mark.parametrize(
    ("tier", "fewer", "more", "extra_server", "changed"),
    [
        pytest.param("app_tier", 3, 4, "shop-app-3", {
            "shop",  # the cluster's own inputs (its config)
            "shop-web-0-hosts", "shop-web-1-hosts", "shop-monitoring-0-hosts",
            "shop-web-0-haproxy", "shop-web-0-haproxy-configure", "shop-web-0-haproxy-health",
            "shop-web-0-haproxy-plan",
            "shop-web-1-haproxy", "shop-web-1-haproxy-configure", "shop-web-1-haproxy-health",
            "shop-web-1-haproxy-plan",
            "shop-monitoring-0-prometheus", "shop-monitoring-0-prometheus-configure",
            "shop-monitoring-0-prometheus-health", "shop-monitoring-0-prometheus-plan",
        }, id="app_tier_3_to_4"),
        pytest.param("web_tier", 1, 2, "shop-web-1", {
            "shop",
            "shop-lb-0-hosts", "shop-monitoring-0-hosts",
            "shop-lb-0-haproxy", "shop-lb-0-haproxy-configure", "shop-lb-0-haproxy-health",
            "shop-lb-0-haproxy-plan",
            "shop-monitoring-0-prometheus", "shop-monitoring-0-prometheus-configure",
            "shop-monitoring-0-prometheus-health", "shop-monitoring-0-prometheus-plan",
        }, id="web_tier_2_to_1"),
    ],
)  # fmt: skip
def test_scaling_a_tier_changes_only_what_names_it(
    monkeypatch: pytest.MonkeyPatch, tier: str, fewer: int, more: int, extra_server: str, changed: set[str]
) -> None:
    """One replica more (app tier, 3 -> 4) or fewer (web tier, 2 -> 1): only the extra server and what
    names it is added or removed, and only the resources that list the tier's servers change."""
    small, large = _registered(monkeypatch, tier, fewer), _registered(monkeypatch, tier, more)
    extra = set(large) - set(small)
    assert {name for name in extra if "machine_type" in large[name]} == {extra_server}
    assert all(name.startswith(extra_server) for name in extra)
    assert {name for name in small if small[name] != large[name]} == changed
