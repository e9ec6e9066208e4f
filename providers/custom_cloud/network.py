"""Custom Cloud networks and subnets as dynamic resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import pulumi
from provisioning.sdk.dynamic import DynamicResource

from ._api_resource import ApiResourceProvider
from .api.models import NetworkCreate, NetworkUpdate, SubnetCreate, SubnetUpdate
from .schemas import NetworkSchema, SubnetSchema

__all__ = ["Network", "NetworkArgs", "NetworkProvider", "Subnet", "SubnetArgs", "SubnetProvider"]


class NetworkProvider(ApiResourceProvider):
    """CRUD of networks: labels in place, everything else replaces (names unique per project)."""

    kind = "network"
    args_model = NetworkSchema
    create_model = NetworkCreate
    update_model = NetworkUpdate

    def delete_before_replace(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        return olds.get("name") == news.get("name")


class SubnetProvider(ApiResourceProvider):
    """CRUD of subnets: labels in place, everything else replaces (names unique per network)."""

    kind = "subnet"
    args_model = SubnetSchema
    create_model = SubnetCreate
    update_model = SubnetUpdate
    output_fields = ("status", "created_at", "region")

    def delete_before_replace(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        return olds.get("name") == news.get("name") and olds.get("network_id") == news.get("network_id")


def _values(args: Any, resource_type: str, resource_name: str) -> dict[str, Any]:
    values = {f.name: getattr(args, f.name) for f in fields(args)}
    if values.get("name") is None:
        values["name"] = resource_name
    values["idempotency_scope"] = (
        f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_type}/{resource_name}"
    )
    return values


@dataclass(kw_only=True)
class NetworkArgs:
    """Arguments of a Network."""

    cidr: pulumi.Input[str]
    """Address range, e.g. `10.0.0.0/16` (/8../28)."""
    name: pulumi.Input[str] | None = None
    """Name (default: the resource name)."""
    region: pulumi.Input[str] | None = None
    """Region (none: every region)."""
    labels: pulumi.Input[dict[str, str]] = field(default_factory=dict)
    """Free-form labels (updated in place)."""


class Network(DynamicResource, module="custom-cloud", name="Network"):
    """A Custom Cloud network (VPC)."""

    provider_type = NetworkProvider

    output_names = ("status", "created_at")

    name: pulumi.Output[str]
    """Name."""
    cidr: pulumi.Output[str]
    """Address range."""
    status: pulumi.Output[str]
    """Lifecycle status."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339)."""

    def __init__(
        self, resource_name: str, args: NetworkArgs | None = None, opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        args = args if args is not None else NetworkArgs(**kwargs)
        super().__init__(
            NetworkProvider(), resource_name, _values(args, "custom-cloud:Network", resource_name), opts
        )


@dataclass(kw_only=True)
class SubnetArgs:
    """Arguments of a Subnet."""

    network_id: pulumi.Input[str]
    """Parent network id (e.g. `network.id`)."""
    cidr: pulumi.Input[str]
    """Address range inside the network's."""
    zone: pulumi.Input[str]
    """Catalog zone."""
    name: pulumi.Input[str] | None = None
    """Name (default: the resource name)."""
    labels: pulumi.Input[dict[str, str]] = field(default_factory=dict)
    """Free-form labels (updated in place)."""


class Subnet(DynamicResource, module="custom-cloud", name="Subnet"):
    """A Custom Cloud subnet."""

    provider_type = SubnetProvider

    output_names = ("status", "created_at", "region")

    name: pulumi.Output[str]
    """Name."""
    network_id: pulumi.Output[str]
    """Parent network id."""
    cidr: pulumi.Output[str]
    """Address range."""
    zone: pulumi.Output[str]
    """Zone."""
    region: pulumi.Output[str]
    """Region of the zone."""
    status: pulumi.Output[str]
    """Lifecycle status."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339)."""

    def __init__(
        self, resource_name: str, args: SubnetArgs | None = None, opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        args = args if args is not None else SubnetArgs(**kwargs)
        super().__init__(
            SubnetProvider(), resource_name, _values(args, "custom-cloud:Subnet", resource_name), opts
        )
