"""Custom Cloud load balancers and volumes as dynamic resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from provisioning.sdk.dynamic import DynamicResource

from ._api_resource import ApiResourceProvider
from .api.models import LoadBalancerCreate, LoadBalancerUpdate, VolumeCreate, VolumeUpdate
from .network import _values
from .schemas import LoadBalancerSchema, VolumeSchema

__all__ = [
    "LoadBalancer",
    "LoadBalancerArgs",
    "LoadBalancerProvider",
    "Volume",
    "VolumeArgs",
    "VolumeProvider",
]


class LoadBalancerProvider(ApiResourceProvider):
    """CRUD of load balancers: listeners, targets, health check and labels in place; waits for `active`."""

    kind = "load_balancer"
    args_model = LoadBalancerSchema
    create_model = LoadBalancerCreate
    update_model = LoadBalancerUpdate
    ready_status = "active"
    output_fields = ("status", "created_at", "public_ip")

    def delete_before_replace(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        return olds.get("name") == news.get("name") and olds.get("region") == news.get("region")


class VolumeProvider(ApiResourceProvider):
    """CRUD of volumes: size grows in place (shrinking replaces), labels in place."""

    kind = "volume"
    args_model = VolumeSchema
    create_model = VolumeCreate
    update_model = VolumeUpdate
    grow_only = frozenset({"size"})
    output_fields = ("status", "created_at", "region", "hourly_cost", "attached_to")

    def replaces(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: list[str]) -> list[str]:
        found = super().replaces(olds, news, changed)
        return sorted(set(found))

    def delete_before_replace(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        return olds.get("name") == news.get("name") and olds.get("zone") == news.get("zone")


@dataclass(kw_only=True)
class LoadBalancerArgs:
    """Arguments of a LoadBalancer."""

    region: pulumi.Input[str]
    """Catalog region."""
    listeners: pulumi.Input[list[dict[str, Any]]]
    """Listeners: `[{"port": 80, "protocol": "http", "target_port": 8080}]`."""
    target_instance_ids: pulumi.Input[list[pulumi.Input[str]]] = field(default_factory=list)
    """Server ids receiving traffic."""
    health_check_path: pulumi.Input[str] = "/healthz"
    """HTTP path probed on the targets."""
    name: pulumi.Input[str] | None = None
    """Name (default: the resource name)."""
    labels: pulumi.Input[dict[str, str]] = field(default_factory=dict)
    """Free-form labels."""
    create_timeout: pulumi.Input[float] = 300.0
    """Seconds to wait for `active`."""


class LoadBalancer(DynamicResource, module="custom-cloud", name="LoadBalancer"):
    """A Custom Cloud load balancer."""

    provider_type = LoadBalancerProvider

    output_names = ("status", "created_at", "public_ip")

    name: pulumi.Output[str]
    """Name."""
    status: pulumi.Output[str]
    """Lifecycle status (`active` after create)."""
    public_ip: pulumi.Output[str]
    """Public IPv4 address."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339)."""

    def __init__(
        self,
        resource_name: str,
        args: LoadBalancerArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        args = args if args is not None else LoadBalancerArgs(**kwargs)
        values = _values(args, "custom-cloud:LoadBalancer", resource_name)
        super().__init__(LoadBalancerProvider(), resource_name, values, opts)


@dataclass(kw_only=True)
class VolumeArgs:
    """Arguments of a Volume."""

    zone: pulumi.Input[str]
    """Catalog zone."""
    size: pulumi.Input[int]
    """Size in GB (grows in place)."""
    disk_type: pulumi.Input[str] = "ssd"
    """`ssd` or `hdd`."""
    name: pulumi.Input[str] | None = None
    """Name (default: the resource name)."""
    labels: pulumi.Input[dict[str, str]] = field(default_factory=dict)
    """Free-form labels."""


class Volume(DynamicResource, module="custom-cloud", name="Volume"):
    """A Custom Cloud volume."""

    provider_type = VolumeProvider

    output_names = ("status", "created_at", "region", "hourly_cost", "attached_to")

    name: pulumi.Output[str]
    """Name."""
    size: pulumi.Output[int]
    """Size in GB."""
    status: pulumi.Output[str]
    """Lifecycle status."""
    region: pulumi.Output[str]
    """Region of the zone."""
    hourly_cost: pulumi.Output[float]
    """USD per hour."""
    attached_to: pulumi.Output[str | None]
    """Instance the volume is attached to."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339)."""

    def __init__(
        self, resource_name: str, args: VolumeArgs | None = None, opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        args = args if args is not None else VolumeArgs(**kwargs)
        super().__init__(
            VolumeProvider(), resource_name, _values(args, "custom-cloud:Volume", resource_name), opts
        )
