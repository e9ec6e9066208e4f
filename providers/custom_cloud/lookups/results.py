"""The typed results lookups return: each the API's `*Public` model of its collection (the same fields,
types and docs), frozen, with the ownership label left out of `labels` and the IPs gathered in `addresses`."""

from __future__ import annotations

from pydantic import ConfigDict, computed_field, field_validator

from provisioning.sdk.documented import DocumentedModel
from provisioning.sdk.ownership import without_owner

from ..api.models import InstancePublic, LoadBalancerPublic, NetworkPublic, SubnetPublic, VolumePublic

__all__ = [
    "Addresses",
    "AnyResult",
    "LoadBalancerResult",
    "NetworkResult",
    "Result",
    "ServerResult",
    "SubnetResult",
    "VolumeResult",
]


class Addresses(DocumentedModel):
    """A resource's IP addresses."""

    model_config = ConfigDict(frozen=True)

    private_ip: str | None = None
    """Private IPv4 address (None when it has none)."""
    public_ip: str | None = None
    """Public IPv4 address (None without an external IP)."""


class Result(DocumentedModel):
    """What a lookup adds to the API's answer, put first among the bases of each result: frozen, and
    `labels` without the ownership label."""

    model_config = ConfigDict(frozen=True)

    labels: dict[str, str] = {}
    """Labels, without the provider's ownership label (`pulumi-urn-hash`)."""

    @field_validator("labels")
    @classmethod
    def _strip_owner(cls, value: dict[str, str]) -> dict[str, str]:
        return without_owner(value)


class _Addressed(Result):
    """A result with addresses, gathered from the API's `private_ip` / `public_ip`."""

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def addresses(self) -> Addresses:
        """Private and public IP."""
        ips = {key: getattr(self, key, None) for key in ("private_ip", "public_ip")}
        return Addresses(**ips)


class ServerResult(_Addressed, InstancePublic):
    """A server found by `get_server` / `get_servers`."""


class NetworkResult(Result, NetworkPublic):
    """A network found by `get_network` / `get_networks`."""


class SubnetResult(Result, SubnetPublic):
    """A subnet found by `get_subnet` / `get_subnets`."""


class LoadBalancerResult(_Addressed, LoadBalancerPublic):
    """A load balancer found by `get_load_balancer` / `get_load_balancers`."""


class VolumeResult(Result, VolumePublic):
    """A volume found by `get_volume` / `get_volumes`."""


AnyResult = ServerResult | NetworkResult | SubnetResult | LoadBalancerResult | VolumeResult
"""Any lookup's result (what the engine's `Lookup` is generic over)."""
