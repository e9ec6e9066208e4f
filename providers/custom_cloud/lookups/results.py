"""The typed results lookups return, built from the API's answers (the ownership label left out)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from provisioning.sdk.ownership import without_owner

__all__ = [
    "Addresses",
    "LoadBalancerResult",
    "NetworkResult",
    "Result",
    "ServerResult",
    "SubnetResult",
    "VolumeResult",
]


class Addresses(BaseModel):
    """A resource's IP addresses."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    private_ip: str | None = None
    """Private IPv4 address (None when it has none)."""
    public_ip: str | None = None
    """Public IPv4 address (None without an external IP)."""


class Result(BaseModel):
    """What every lookup result holds; built from the API's answer (unknown fields ignored)."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_attribute_docstrings=True)

    id: str
    """Id handed out by the API."""
    name: str
    """Name."""
    status: str
    """Lifecycle status as the API reports it."""
    created_at: datetime
    """Creation time (UTC)."""
    labels: dict[str, str] = {}
    """Labels, without the provider's ownership label (`pulumi-urn-hash`)."""

    @field_validator("labels")
    @classmethod
    def _strip_owner(cls, value: dict[str, str]) -> dict[str, str]:
        return without_owner(value)


class _Addressed(Result):
    """A result with addresses, gathered from the API's `private_ip` / `public_ip`."""

    addresses: Addresses = Addresses()
    """Private and public IP."""

    @model_validator(mode="before")
    @classmethod
    def _gather_addresses(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "addresses" not in data:
            ips = {k: data.get(k) for k in ("private_ip", "public_ip")}
            return {**data, "addresses": ips}
        return data


class ServerResult(_Addressed):
    """A server found by `get_server` / `get_servers`."""

    machine_type: str
    """Catalog machine type."""
    zone: str
    """Zone."""
    region: str
    """Region of the zone."""


class NetworkResult(Result):
    """A network found by `get_network` / `get_networks`."""

    cidr: str
    """Address range."""
    region: str | None = None
    """Region, if the network is pinned to one."""


class SubnetResult(Result):
    """A subnet found by `get_subnet` / `get_subnets`."""

    network_id: str
    """Network the subnet is part of."""
    cidr: str
    """Address range (inside the network's)."""
    zone: str
    """Zone."""
    region: str
    """Region of the zone."""


class LoadBalancerResult(_Addressed):
    """A load balancer found by `get_load_balancer` / `get_load_balancers`."""

    region: str
    """Region."""
    target_instance_ids: list[str] = []
    """Servers the load balancer forwards to."""


class VolumeResult(Result):
    """A volume found by `get_volume` / `get_volumes`."""

    zone: str
    """Zone."""
    region: str
    """Region of the zone."""
    size: int
    """Size in GB."""
    disk_type: str
    """Disk type."""
    attached_to: str | None = None
    """Server the volume is attached to, if any."""
