"""`provisioning status`'s cluster view: servers by tier from the cluster's `components` output, each with
the live status of its task services, and the cluster's result."""

from __future__ import annotations

from typing import Any

from provisioning.cli._cluster_view import clusters_from_state, render_clusters
from provisioning.cli.status import ServiceStatus

URN = "urn:pulumi:dev::shop::"
CLUSTER = URN + "provisioning:clusters:WebStack::shop"


def service_urn(name: str, kind: str) -> str:
    return f"{URN}provisioning:clusters:WebStack$provisioning:taskservs:{kind}::{name}"


def member(server: str, role: str, address: str, *services: tuple[str, str]) -> dict[str, Any]:
    return {
        "server": server,
        "id": "i-" + server,
        "private_address": address,
        "role": role,
        "services": [
            {"name": n, "type": f"provisioning:taskservs:{k}", "urn": service_urn(n, k)} for n, k in services
        ],
    }


EXPORT = {
    "deployment": {
        "resources": [
            {
                "urn": CLUSTER,
                "type": "provisioning:clusters:WebStack",
                "outputs": {
                    "components": {
                        "app": [
                            member("shop-app-0", "app", "10.0.10.2", ("shop-app-0-app", "WebApp")),
                            member("shop-app-1", "app", "10.0.20.2", ("shop-app-1-app", "WebApp")),
                        ],
                        "database": [
                            member("shop-db-primary", "primary", "10.0.100.2", ("shop-db", "PostgreSQL")),
                            member("shop-db-replica", "replica", "10.0.200.2", ("shop-db", "PostgreSQL")),
                        ],
                    }
                },
            }
        ]
    }
}


def status(service: str, host: str, urn: str, *, healthy: bool = True) -> ServiceStatus:
    return ServiceStatus(
        service=service,
        type="t",
        server="web-stack-" + service,  # the Server's Pulumi name, not the cluster's server name
        status="running" if healthy else "unhealthy",
        healthy=healthy,
        failing="" if healthy else "service",
        why="" if healthy else "webapp is not running",
        checks=[],
        urn=urn,
        host=host,
    )


def test_a_cluster_lists_its_servers_by_tier_with_their_live_health() -> None:
    (view,) = clusters_from_state(EXPORT)
    assert view.name == "shop" and list(view.tiers) == ["app", "database"]
    found = [
        status("shop-app-0-app", "100.77.0.9", service_urn("shop-app-0-app", "WebApp")),
        status("shop-app-1-app", "100.77.0.8", service_urn("shop-app-1-app", "WebApp"), healthy=False),
        status("shop-db", "10.0.100.2", service_urn("shop-db", "PostgreSQL")),
        status("shop-db (replica-0)", "10.0.200.2", service_urn("shop-db", "PostgreSQL")),
    ]
    view = view.with_statuses(found)
    assert not view.healthy
    db = view.tiers["database"]
    assert [[x.service for x in s.statuses] for s in db] == [["shop-db"], ["shop-db (replica-0)"]]
    text = render_clusters([view])
    assert "shop / tier app: UNHEALTHY" in text and "shop / tier database: healthy" in text
    assert (
        "shop-app-1  app   10.0.20.2  shop-app-1-app  unhealthy  no       service: webapp is not running"
        in text
    )
    assert text.endswith("cluster shop (provisioning:clusters:WebStack): UNHEALTHY")
    as_json = view.as_json()
    assert as_json["tiers"]["app"]["servers"][1] == {
        "server": "shop-app-1",
        "role": "app",
        "address": "10.0.20.2",
        "healthy": False,
        "services": {"shop-app-1-app": "unhealthy"},
    }
    assert as_json["tiers"]["database"]["healthy"] is True


def test_a_stack_without_clusters_has_no_cluster_view() -> None:
    assert clusters_from_state({"deployment": {"resources": [{"urn": URN + "x::y", "type": "x:y"}]}}) == []
