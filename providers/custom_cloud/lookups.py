"""Lookups of existing Custom Cloud resources, in the shape of Pulumi's `get_*` data sources.

For each collection there is a pair, generated from one table (`LOOKUPS`): `get_server(id=… | name=…,
zone=…)` finds exactly one, `get_servers(labels=…, status=…, zone=…)` every match; each has an `_output`
form that takes `pulumi.Input`s and returns a `pulumi.Output`. They read the provider configuration as the
resources do (stack config `custom-cloud:*` first, then the environment), page through the API, and return
typed results whose `labels` never hold the ownership label.

>>> web = get_server(name="web", zone="us-west-1a")  # doctest: +SKIP
>>> ips = get_servers_output(labels={"tier": "web"}).apply(lambda s: [x.addresses.private_ip for x in s])
... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import httpx
import pulumi
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from provisioning.sdk.errors import ConfigError, NotFound, ProvisioningError
from provisioning.sdk.ownership import without_owner

from .api.collections import INSTANCES, LOAD_BALANCERS, NETWORKS, SUBNETS, VOLUMES, Collection
from .client import CustomCloudClient
from .config import CustomCloudConfig, load_config

__all__ = [
    "LOOKUPS",
    "Addresses",
    "AmbiguousLookup",
    "LoadBalancerResult",
    "Lookup",
    "LookupFailed",
    "NetworkResult",
    "NothingFound",
    "ServerResult",
    "SubnetResult",
    "VolumeResult",
    "get_load_balancer",
    "get_load_balancer_output",
    "get_load_balancers",
    "get_load_balancers_output",
    "get_network",
    "get_network_output",
    "get_networks",
    "get_networks_output",
    "get_server",
    "get_server_output",
    "get_servers",
    "get_servers_output",
    "get_subnet",
    "get_subnet_output",
    "get_subnets",
    "get_subnets_output",
    "get_volume",
    "get_volume_output",
    "get_volumes",
    "get_volumes_output",
]

GONE = frozenset({"deleting", "deleted"})
"""Statuses a lookup skips unless it asks for them by `status`."""


# -- errors ------------------------------------------------------------------------------------------------


class LookupFailed(ProvisioningError):
    """A lookup did not find exactly one resource; names what was looked for."""

    def __init__(self, noun: str, wanted: str, message: str) -> None:
        self.noun = noun
        """What was looked for (`server`)."""
        self.wanted = wanted
        """The criteria, in words (`named 'web' in zone us-west-1a`)."""
        super().__init__(message)


class NothingFound(LookupFailed):
    """No resource matched (`no server named 'web' in zone us-west-1a`)."""

    def __init__(self, noun: str, wanted: str) -> None:
        super().__init__(noun, wanted, f"no {noun} {wanted}")


class AmbiguousLookup(LookupFailed):
    """More than one resource matched; lists the candidates and how to tell them apart."""

    def __init__(self, noun: str, wanted: str, candidates: Sequence[str], hint: str) -> None:
        self.candidates = tuple(candidates)
        """The matches, each as `id (where)`."""
        super().__init__(
            noun,
            wanted,
            f"{len(candidates)} {noun}s {wanted}: {', '.join(candidates)}; {hint}",
        )


# -- results -----------------------------------------------------------------------------------------------


class Addresses(BaseModel):
    """A resource's IP addresses."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    private_ip: str | None = None
    """Private IPv4 address (None when it has none)."""
    public_ip: str | None = None
    """Public IPv4 address (None without an external IP)."""


class _Result(BaseModel):
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


class _Addressed(_Result):
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


class NetworkResult(_Result):
    """A network found by `get_network` / `get_networks`."""

    cidr: str
    """Address range."""
    region: str | None = None
    """Region, if the network is pinned to one."""


class SubnetResult(_Result):
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


class VolumeResult(_Result):
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


# -- the lookup of one collection -------------------------------------------------------------------------

R = TypeVar("R", bound=_Result)


def _stack_config(key: str) -> Any:
    """A `custom-cloud:*` stack config value (None outside a Pulumi program or when unset)."""
    namespace, _, name = key.partition(":")
    try:
        return pulumi.Config(namespace).get(name)
    except Exception:  # no program running: the environment decides
        return None


@dataclass(frozen=True)
class Lookup(Generic[R]):
    """The `get_x` / `get_xs` pair (and their `_output` forms) of one API collection."""

    collection: Collection[Any]
    """The API collection searched."""
    noun: str
    """What one item is called in messages (`server`)."""
    result: type[R]
    """The typed result."""
    unique_within: tuple[str, ...]
    """Fields a name is unique within (`zone`; empty: unique per project)."""

    # -- plain forms -------------------------------------------------------------------------------------

    def one(
        self,
        *,
        id: str | None = None,  # noqa: A002 (the Pulumi convention)
        name: str | None = None,
        zone: str | None = None,
        region: str | None = None,
        config: CustomCloudConfig | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> R:
        """Exactly one resource, by `id` or by `name` (narrowed by `zone` / `region`).

        Raises `NothingFound` or `AmbiguousLookup` naming what was looked for, `ConfigError` for bad
        arguments, and the API's errors (`Unauthenticated`, …) as they come."""
        if (id is None) == (name is None):
            raise ConfigError("id/name", {"id": id, "name": name}, f"get_{self.noun}: pass id or name")
        where = self._where(zone=zone, region=region)
        with self._client(config, transport) as api:
            if id is not None:
                wanted = f"with id {id!r}" + _said(where)
                try:
                    found = [self._result(api.get(self.collection, id))]
                except NotFound:
                    raise NothingFound(self.noun, wanted) from None
                found = [r for r in found if r.status not in GONE and _matches(r, where)]
            else:
                wanted = f"named {name!r}" + _said(where)
                found = self._find(api, name=name, labels=None, status=None, where=where)
        if not found:
            raise NothingFound(self.noun, wanted)
        if len(found) > 1:
            candidates = [f"{r.id} ({_described(r)})" for r in found]
            filters = [f"{k}=..." for k in ("zone", "region") if k in self.result.model_fields]
            hint = f"pass {', '.join([*filters, 'id=...'])} to choose one"
            raise AmbiguousLookup(self.noun, wanted, candidates, hint)
        return found[0]

    def all(
        self,
        *,
        labels: Mapping[str, str] | None = None,
        status: str | None = None,
        zone: str | None = None,
        region: str | None = None,
        name: str | None = None,
        config: CustomCloudConfig | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> list[R]:
        """Every resource whose labels include `labels` and that has `status` (default: any but
        deleting/deleted), `zone`, `region` and `name` when given; oldest first, every page read."""
        where = self._where(zone=zone, region=region)
        with self._client(config, transport) as api:
            return self._find(api, name=name, labels=labels, status=status, where=where)

    # -- output forms ------------------------------------------------------------------------------------

    def one_output(
        self,
        *,
        id: pulumi.Input[str | None] = None,  # noqa: A002 (the Pulumi convention)
        name: pulumi.Input[str | None] = None,
        zone: pulumi.Input[str | None] = None,
        region: pulumi.Input[str | None] = None,
        config: CustomCloudConfig | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> pulumi.Output[R]:
        """`one` over `pulumi.Input`s: runs once every argument is known."""
        args = pulumi.Output.all(id=id, name=name, zone=zone, region=region)
        return args.apply(lambda a: self.one(**a, config=config, transport=transport))

    def all_output(
        self,
        *,
        labels: pulumi.Input[Mapping[str, pulumi.Input[str]] | None] = None,
        status: pulumi.Input[str | None] = None,
        zone: pulumi.Input[str | None] = None,
        region: pulumi.Input[str | None] = None,
        name: pulumi.Input[str | None] = None,
        config: CustomCloudConfig | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> pulumi.Output[list[R]]:
        """`all` over `pulumi.Input`s: runs once every argument is known."""
        args = pulumi.Output.all(labels=labels, status=status, zone=zone, region=region, name=name)
        return args.apply(lambda a: self.all(**a, config=config, transport=transport))

    # -- helpers -----------------------------------------------------------------------------------------

    def _where(self, *, zone: str | None, region: str | None) -> dict[str, str]:
        """The scope filters given, refusing one the collection's items do not have."""
        where = {k: v for k, v in (("zone", zone), ("region", region)) if v is not None}
        fields = self.result.model_fields
        for key, value in where.items():
            if key not in fields:
                raise ConfigError(key, value, f"{self.noun}s have no {key}: look them up without it")
        return where

    def _client(
        self, config: CustomCloudConfig | None, transport: httpx.BaseTransport | None
    ) -> CustomCloudClient:
        resolved = config if config is not None else load_config(_stack_config)
        return CustomCloudClient.from_config(resolved, transport=transport)

    def _find(
        self,
        api: CustomCloudClient,
        *,
        name: str | None,
        labels: Mapping[str, str] | None,
        status: str | None,
        where: Mapping[str, str],
    ) -> list[R]:
        found = (self._result(r) for r in api.find(self.collection, name=name, labels=dict(labels or {})))
        return [
            r
            for r in found
            if (r.status == status if status is not None else r.status not in GONE) and _matches(r, where)
        ]

    def _result(self, resource: BaseModel) -> R:
        return self.result.model_validate(resource.model_dump(mode="json"))


def _matches(result: BaseModel, where: Mapping[str, str]) -> bool:
    return all(getattr(result, k, None) == v for k, v in where.items())


def _described(result: BaseModel) -> str:
    """Where a result lives (`zone us-west-1a`, `network net-1, zone us-west-1a`)."""
    keys = (("network_id", "network"), ("zone", "zone"), ("region", "region"))
    parts = [f"{label} {v}" for k, label in keys if (v := getattr(result, k, None)) is not None]
    return ", ".join(parts[:2]) or "no region"


def _said(where: Mapping[str, str]) -> str:
    """` in zone us-west-1a` for `{"zone": "us-west-1a"}`."""
    return "".join(f" in {k} {v}" for k, v in where.items())


# -- the table ----------------------------------------------------------------------------------------------

SERVERS: Lookup[ServerResult] = Lookup(INSTANCES, "server", ServerResult, ("zone",))
"""Servers: names are unique per zone."""
NETWORKS_LOOKUP: Lookup[NetworkResult] = Lookup(NETWORKS, "network", NetworkResult, ())
"""Networks: names are unique per project."""
SUBNETS_LOOKUP: Lookup[SubnetResult] = Lookup(SUBNETS, "subnet", SubnetResult, ("network_id",))
"""Subnets: names are unique per network."""
LOAD_BALANCERS_LOOKUP: Lookup[LoadBalancerResult] = Lookup(
    LOAD_BALANCERS, "load balancer", LoadBalancerResult, ("region",)
)
"""Load balancers: names are unique per region."""
VOLUMES_LOOKUP: Lookup[VolumeResult] = Lookup(VOLUMES, "volume", VolumeResult, ("zone",))
"""Volumes: names are unique per zone."""

LOOKUPS: dict[str, Lookup[Any]] = {
    "server": SERVERS,
    "network": NETWORKS_LOOKUP,
    "subnet": SUBNETS_LOOKUP,
    "load_balancer": LOAD_BALANCERS_LOOKUP,
    "volume": VOLUMES_LOOKUP,
}
"""Every lookup by the singular of its function name (`get_<key>`, `get_<key>s`)."""

get_server = SERVERS.one
get_servers = SERVERS.all
get_server_output = SERVERS.one_output
get_servers_output = SERVERS.all_output
get_network = NETWORKS_LOOKUP.one
get_networks = NETWORKS_LOOKUP.all
get_network_output = NETWORKS_LOOKUP.one_output
get_networks_output = NETWORKS_LOOKUP.all_output
get_subnet = SUBNETS_LOOKUP.one
get_subnets = SUBNETS_LOOKUP.all
get_subnet_output = SUBNETS_LOOKUP.one_output
get_subnets_output = SUBNETS_LOOKUP.all_output
get_load_balancer = LOAD_BALANCERS_LOOKUP.one
get_load_balancers = LOAD_BALANCERS_LOOKUP.all
get_load_balancer_output = LOAD_BALANCERS_LOOKUP.one_output
get_load_balancers_output = LOAD_BALANCERS_LOOKUP.all_output
get_volume = VOLUMES_LOOKUP.one
get_volumes = VOLUMES_LOOKUP.all
get_volume_output = VOLUMES_LOOKUP.one_output
get_volumes_output = VOLUMES_LOOKUP.all_output
