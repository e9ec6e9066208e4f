"""`Cluster`: the Pulumi component every cluster builds on (see docs/clusters.md).

A subclass names its declaration (the config model, registered by type token with kind "cluster"), builds
its resources in `build` and returns its `Member`s (servers with their role, tier and task services) and
endpoints; the base validates the config before registering anything, registers the config's fields as the
component's inputs, and derives the standard outputs: `endpoints`, `components` (per tier), `status`
(per tier and service), `healthy`, `estimated_hourly_cost` and `provider_hourly_cost` (both known at
preview)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pulumi
from pydantic import BaseModel

from ..registry import Declaration
from ..taskservice.component import validated_config
from ..validation import Violation
from .guard import FieldGuard

__all__ = ["Built", "Cluster", "Member"]


@dataclass(frozen=True)
class Member:
    """One server of the cluster: where it belongs and what runs on it."""

    tier: str
    """The tier it is in (`web`, `app`, `database`, …): a key of `components` and `status`."""
    name: str
    """The server's name (`shop-app-0`)."""
    role: str
    """What it is in its tier (`app`, `primary`, `replica`, `load-balancer`)."""
    server: Any
    """The server resource: its `id` and `private_ip` outputs are read."""
    services: Sequence[pulumi.ComponentResource] = ()
    """The task services on it; those with a `healthy` output count in `status` and `healthy`."""


@dataclass(frozen=True)
class Built:
    """What `Cluster.build` made."""

    members: Sequence[Member]
    """Every server, in tier order."""
    endpoints: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Where users connect (`web`, `monitoring`); "" where a part is disabled."""


class Cluster(pulumi.ComponentResource):
    """Base of clusters: typed config checked at preview, member servers per tier, standard outputs.

    Subclasses set `declaration` (model and rules, registered with kind "cluster") and implement `build`,
    `estimated_cost` and `provider_cost`; `extra_violations` checks arguments beyond the config."""

    declaration: ClassVar[Declaration]
    """The cluster's declaration (its config model and cross-field rules)."""

    config: Any
    """The validated config."""
    endpoints: pulumi.Output[dict[str, str]]
    """Where users connect, by name (`web`, `monitoring`)."""
    components: pulumi.Output[dict[str, list[dict[str, Any]]]]
    """Per tier, its servers: `server` (name), `id`, `private_address`, `role`, `services` (each task
    service's `name`, `type` and `urn`)."""
    status: pulumi.Output[dict[str, dict[str, Any]]]
    """Per tier: `healthy` and, per task service, `running` or `unhealthy` (as its health step saw it)."""
    healthy: pulumi.Output[bool]
    """Every task service of every tier is healthy."""
    estimated_hourly_cost: pulumi.Output[float]
    """USD per hour by the cluster's own formula (known at preview)."""
    provider_hourly_cost: pulumi.Output[float]
    """USD per hour of its servers at the provider's prices (known at preview)."""
    guard: pulumi.Resource
    """Holds the deployed values of the config's `Fixed` and `Costly` fields: a subclass makes its servers
    and networks depend on it, so a refused change stops before anything else changes."""

    def __init__(
        self,
        resource_name: str,
        config: BaseModel | Mapping[str, Any] | None = None,
        *,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        self.config = self.validated(resource_name, config)
        props = self.config.model_dump(mode="json")
        super().__init__(self.declaration.type_token, resource_name, props, opts)
        self.guard = FieldGuard(
            f"{resource_name}-fields", self.config, opts=pulumi.ResourceOptions(parent=self)
        )
        built = self.build(resource_name, self.config)
        self.endpoints = pulumi.Output.from_input(dict(built.endpoints))  # type: ignore[arg-type]
        self.components = _components(built.members)
        self.status = _status(built.members)
        self.healthy = self.status.apply(lambda tiers: all(t["healthy"] for t in tiers.values()))
        self.estimated_hourly_cost = pulumi.Output.from_input(round(self.estimated_cost(self.config), 6))
        self.provider_hourly_cost = pulumi.Output.from_input(round(self.provider_cost(self.config), 6))
        self.register_outputs(
            {
                "endpoints": self.endpoints,
                "components": self.components,
                "status": self.status,
                "healthy": self.healthy,
                "estimated_hourly_cost": self.estimated_hourly_cost,
                "provider_hourly_cost": self.provider_hourly_cost,
            }
        )

    # -- what subclasses provide ---------------------------------------------------------------------

    def build(self, resource_name: str, config: Any) -> Built:
        """Make the cluster's resources (children with `parent=self`); return its members and endpoints."""
        raise NotImplementedError

    def estimated_cost(self, config: Any) -> float:
        """USD per hour by the cluster's own formula, from the config alone."""
        raise NotImplementedError

    def provider_cost(self, config: Any) -> float:
        """USD per hour of the servers the config asks for, at the provider's prices."""
        raise NotImplementedError

    def extra_violations(self, config: Any) -> list[Violation]:
        """Rules on arguments beyond the config (e.g. secrets it needs)."""
        return []

    # -- the machinery -------------------------------------------------------------------------------

    def validated(self, resource_name: str, config: BaseModel | Mapping[str, Any] | None) -> Any:
        """The config as the declaration's model; `InvalidConfig` names every broken rule's field, value
        and rule (a `pulumi.RunError`: `pulumi preview` fails with it before anything is registered)."""
        return validated_config(
            self.declaration, type(self).__name__, resource_name, config, self.extra_violations
        )


def _service_record(service: pulumi.ComponentResource) -> pulumi.Output[dict[str, str]]:
    kind = getattr(getattr(service, "declaration", None), "type_token", type(service).__name__)
    name = str(getattr(service, "_name", ""))
    return service.urn.apply(lambda urn: {"name": name, "type": kind, "urn": urn})


def _record(member: Member, found: list[Any]) -> dict[str, Any]:
    return {
        "tier": member.tier,
        "server": member.name,
        "id": found[0],
        "private_address": found[1],
        "role": member.role,
        "services": list(found[2:]),
    }


def _components(members: Sequence[Member]) -> pulumi.Output[dict[str, list[dict[str, Any]]]]:
    records = [
        pulumi.Output.all(
            member.server.id, member.server.private_ip, *(_service_record(s) for s in member.services)
        ).apply(functools.partial(_record, member))
        for member in members
    ]

    def by_tier(found: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        tiers: dict[str, list[dict[str, Any]]] = {}
        for record in found:
            tiers.setdefault(record.pop("tier"), []).append(record)
        return tiers

    return pulumi.Output.all(*records).apply(by_tier)


def _status(members: Sequence[Member]) -> pulumi.Output[dict[str, dict[str, Any]]]:
    entries: list[pulumi.Output[tuple[str, str, bool]]] = []
    for member in members:
        for service in member.services:
            healthy = getattr(service, "healthy", None)
            if healthy is not None:
                name = str(getattr(service, "_name", ""))
                entries.append(healthy.apply(lambda h, t=member.tier, n=name: (t, n, bool(h))))
    tiers = {member.tier for member in members}

    def by_tier(found: list[tuple[str, str, bool]]) -> dict[str, dict[str, Any]]:
        status: dict[str, dict[str, Any]] = {
            tier: {"healthy": True, "services": {}} for tier in sorted(tiers)
        }
        for tier, name, healthy in found:
            status[tier]["services"][name] = "running" if healthy else "unhealthy"
            status[tier]["healthy"] = status[tier]["healthy"] and healthy
        return status

    return pulumi.Output.all(*entries).apply(by_tier)
