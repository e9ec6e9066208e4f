"""`provisioning status`'s cluster view: a cluster's servers by tier, each with the live health of its
task services, and the cluster's overall result.

A cluster component records which task services run on which server of which tier in its `components`
output (tier -> servers, each with its `services`' URNs); the health of each service is what `status` just
checked over SSH (a service with replicas is checked on each of its servers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ._health_records import ServiceStatus
from ._table import render_table

__all__ = ["ClusterView", "TierServer", "clusters_from_state", "render_clusters"]


@dataclass(frozen=True)
class TierServer:
    """One server of a tier and what its task services said now."""

    server: str
    role: str
    address: str
    service_urns: tuple[str, ...]
    statuses: tuple[ServiceStatus, ...] = ()

    @property
    def healthy(self) -> bool:
        """Every service on it was checked now and passed (a server without services counts healthy)."""
        return all(s.healthy for s in self.statuses) and bool(self.statuses or not self.service_urns)


@dataclass(frozen=True)
class ClusterView:
    """A cluster and its tiers, in the order the cluster lists them."""

    name: str
    type: str
    tiers: dict[str, list[TierServer]] = field(default_factory=dict)

    @property
    def service_urns(self) -> set[str]:
        """Every task service of the cluster."""
        return {urn for servers in self.tiers.values() for s in servers for urn in s.service_urns}

    @property
    def healthy(self) -> bool:
        """Every server of every tier is healthy."""
        return all(s.healthy for servers in self.tiers.values() for s in servers)

    def with_statuses(self, found: Sequence[ServiceStatus]) -> ClusterView:
        """The view with each server's live statuses: the checks of its services; a service on several
        servers (a database and its replicas) is matched to each by the address it was checked at."""
        servers_of: dict[str, int] = {}
        for servers in self.tiers.values():
            for s in servers:
                for urn in s.service_urns:
                    servers_of[urn] = servers_of.get(urn, 0) + 1

        def on(server: TierServer, status: ServiceStatus) -> bool:
            if status.urn not in server.service_urns:
                return False
            return servers_of[status.urn] == 1 or status.host == server.address

        tiers = {
            tier: [replace(s, statuses=tuple(x for x in found if on(s, x))) for s in servers]
            for tier, servers in self.tiers.items()
        }
        return replace(self, tiers=tiers)

    def as_json(self) -> dict[str, Any]:
        """For `status --json`."""
        return {
            "name": self.name,
            "type": self.type,
            "healthy": self.healthy,
            "tiers": {
                tier: {
                    "healthy": all(s.healthy for s in servers),
                    "servers": [
                        {
                            "server": s.server,
                            "role": s.role,
                            "address": s.address,
                            "healthy": s.healthy,
                            "services": {x.service: x.status for x in s.statuses},
                        }
                        for s in servers
                    ],
                }
                for tier, servers in self.tiers.items()
            },
        }


def clusters_from_state(deployment: Mapping[str, Any]) -> list[ClusterView]:
    """Every cluster component of a stack export, with its servers by tier (no health yet)."""
    from provisioning.sdk.registry import declaration_for_type

    found = []
    for resource in deployment.get("deployment", {}).get("resources", []) or []:
        kind = str(resource.get("type", ""))
        declaration = declaration_for_type(kind)
        if declaration is None or declaration.kind != "cluster":
            continue
        components = (resource.get("outputs") or {}).get("components") or {}
        tiers = {
            str(tier): [
                TierServer(
                    server=str(record.get("server", "")),
                    role=str(record.get("role", "")),
                    address=str(record.get("private_address") or ""),
                    service_urns=tuple(str(s.get("urn", "")) for s in record.get("services") or []),
                )
                for record in records
            ]
            for tier, records in components.items()
        }
        found.append(ClusterView(str(resource.get("urn", "")).rsplit("::", 1)[-1], kind, tiers))
    return found


def render_clusters(clusters: Sequence[ClusterView]) -> str:
    """A table per tier (server, role, address, service, status, healthy, failing check) and the result."""
    blocks = []
    headers = ("server", "role", "address", "service", "status", "healthy", "failing check")
    for cluster in clusters:
        for tier, servers in cluster.tiers.items():
            rows = []
            for s in servers:
                for x in s.statuses or (None,):
                    failing = f"{x.failing}: {x.why}" if x is not None and x.failing else "-"
                    rows.append(
                        (
                            s.server,
                            s.role,
                            s.address,
                            x.service if x else "-",
                            x.status if x else "-",
                            ("yes" if x.healthy else "no") if x else ("-" if s.healthy else "no"),
                            failing,
                        )
                    )
            tier_result = "healthy" if all(s.healthy for s in servers) else "UNHEALTHY"
            blocks.append(f"{cluster.name} / tier {tier}: {tier_result}\n{render_table(headers, rows)}")
        overall = "healthy" if cluster.healthy else "UNHEALTHY"
        blocks.append(f"cluster {cluster.name} ({cluster.type}): {overall}")
    return "\n\n".join(blocks)
