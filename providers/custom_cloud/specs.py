"""The declarations of the Custom Cloud resources: each is the API's create body (its fields, limits and
docs, in `api/models.py`) plus the options only the provider reads, registered by type token.

Imports no Pulumi: the policy pack and the extension tooling read these without a running engine."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from provisioning.sdk.documented import DocumentedModel
from provisioning.sdk.fields import CHECK_ONLY, COMPUTED, INTERNAL, OPTION, Behind
from provisioning.sdk.registry import Declaration, register
from provisioning.sdk.validation import Violation

from .api import catalog
from .api.models import (
    CIDR,
    InstanceCreate,
    InstancePublic,
    LoadBalancerCreate,
    LoadBalancerPublic,
    NetworkCreate,
    NetworkPublic,
    RegionName,
    ResourceId,
    SubnetCreate,
    SubnetPublic,
    VolumeCreate,
    VolumePublic,
    ZoneName,
)

__all__ = [
    "DEFAULT_CREATE_TIMEOUT",
    "CustomCloudLoadBalancer",
    "CustomCloudNetwork",
    "CustomCloudServer",
    "CustomCloudSubnet",
    "CustomCloudVolume",
    "CustomCloudVolumeAttachment",
    "LOAD_BALANCER",
    "NETWORK",
    "SERVER",
    "SUBNET",
    "VOLUME",
    "VOLUME_ATTACHMENT",
]

DEFAULT_CREATE_TIMEOUT = 300.0
"""Seconds a create waits for its resource to be ready (and a delete for it to be gone)."""


class _Tracked(DocumentedModel):
    """What every Custom Cloud resource carries besides its API fields."""

    model_config = ConfigDict(extra="forbid")

    idempotency_scope: Annotated[str | None, INTERNAL] = None
    """project/stack/type/name: the stable part of the create's Idempotency-Key (set by the resource)."""


class _Awaited(_Tracked):
    """A resource whose create waits until the API says it is ready."""

    create_timeout: Annotated[float, Field(gt=0), OPTION] = DEFAULT_CREATE_TIMEOUT
    """Seconds to wait until the resource is ready (and, on delete, gone) before failing."""


class CustomCloudServer(_Awaited, InstanceCreate):
    """A Custom Cloud server: machine type, zone, disk, network, labels, SSH key and startup data."""

    region: Annotated[RegionName | None, CHECK_ONLY] = None
    """Region the zone must be in (default: the provider's `custom-cloud:region`)."""
    keep_storage: Annotated[bool, OPTION] = False
    """On delete, keep the disk as a volume (`<name>-disk`)."""
    estimated_hourly_cost: Annotated[float | None, COMPUTED] = None
    """USD per hour, known at preview: machine price + disk_size × storage price."""
    subnet_zone: Annotated[ZoneName | None, INTERNAL, Behind("subnet", "zone")] = None
    """Zone of the Subnet resource `subnet` comes from (set by the resource: checked at preview)."""


class CustomCloudNetwork(_Tracked, NetworkCreate):
    """A Custom Cloud network (VPC): an address range for subnets and servers."""


class CustomCloudSubnet(_Tracked, SubnetCreate):
    """A Custom Cloud subnet: part of a network's range in one zone."""

    network_cidr: Annotated[CIDR | None, INTERNAL, Behind("network_id", "cidr")] = None
    """Range of the Network resource `network_id` comes from (set by the resource: checked at preview)."""
    network_region: Annotated[RegionName | None, INTERNAL, Behind("network_id", "region")] = None
    """Region of that Network, if it has one (set by the resource: checked at preview)."""


class CustomCloudLoadBalancer(_Awaited, LoadBalancerCreate):
    """A Custom Cloud load balancer: listeners forwarding to servers, with an HTTP health check."""


class CustomCloudVolume(_Tracked, VolumeCreate):
    """A Custom Cloud volume: a disk in one zone."""

    estimated_hourly_cost: Annotated[float | None, COMPUTED] = None
    """USD per hour, known at preview: size × storage price."""


class CustomCloudVolumeAttachment(DocumentedModel):
    """A Custom Cloud volume attachment: one volume attached to one server of its zone."""

    model_config = ConfigDict(extra="forbid")

    volume_id: ResourceId
    """Volume to attach (e.g. `volume.id`); changing it replaces the attachment."""
    server_id: ResourceId
    """Server in the volume's zone to attach it to (e.g. `server.id`); changing it replaces the attachment."""
    volume_zone: Annotated[ZoneName | None, INTERNAL, Behind("volume_id", "zone")] = None
    """Zone of the Volume resource `volume_id` comes from (set by the resource: checked at preview)."""
    server_zone: Annotated[ZoneName | None, INTERNAL, Behind("server_id", "zone")] = None
    """Zone of the Server resource `server_id` comes from (set by the resource: checked at preview)."""


def same_zone(attachment: CustomCloudVolumeAttachment) -> list[Violation]:
    """A volume attaches only to a server in its zone (decided at preview from the resources' zones, before
    either id is known)."""
    volume_zone, server_zone = attachment.volume_zone, attachment.server_zone
    if volume_zone is None or server_zone is None or volume_zone == server_zone:
        return []
    server = getattr(attachment, "server_id", None)  # not known yet while the server is being created
    named = f"server_id {server!r}" if server else "server_id (known once the server exists)"
    return [
        Violation(
            "server_id",
            server,
            f"{named}: the server is in zone {server_zone!r} but the volume is in zone {volume_zone!r}: a "
            "volume attaches only to a server in its zone",
        )
    ]


def _named(resource: BaseModel, field: str, noun: str) -> str:
    """`field 'value'`, or `field (known once the <noun> exists)` while its value is not known yet."""
    value = getattr(resource, field, None)
    return f"{field} {value!r}" if value else f"{field} (known once the {noun} exists)"


def in_subnet_zone(server: CustomCloudServer) -> list[Violation]:
    """A server is in its subnet's zone (decided at preview from the Subnet resource, before its id is
    known)."""
    if server.subnet_zone is None or server.subnet_zone == server.zone:
        return []
    rule = (
        f"zone {server.zone!r} differs from the zone of {_named(server, 'subnet', 'subnet')} "
        f"({server.subnet_zone!r}): a server must be in its subnet's zone"
    )
    return [Violation("zone", server.zone, rule)]


def inside_network(subnet: CustomCloudSubnet) -> list[Violation]:
    """A subnet's range is inside its network's (decided at preview from the Network resource, before its
    id is known)."""
    if subnet.network_cidr is None or ipaddress.IPv4Network(subnet.cidr).subnet_of(
        ipaddress.IPv4Network(subnet.network_cidr)
    ):
        return []
    network = _named(subnet, "network_id", "network")
    rule = f"cidr {subnet.cidr!r} is not inside the range {subnet.network_cidr!r} of {network}"
    return [Violation("cidr", subnet.cidr, rule)]


def in_network_region(subnet: CustomCloudSubnet) -> list[Violation]:
    """A subnet's zone is in its network's region, if the network has one."""
    region = subnet.network_region
    if region is None or catalog.region_of_zone(subnet.zone) == region:
        return []
    network = _named(subnet, "network_id", "network")
    return [
        Violation("zone", subnet.zone, f"zone {subnet.zone!r} is not in the region {region!r} of {network}")
    ]


def zone_in_region(server: CustomCloudServer) -> list[Violation]:
    """A server's zone must be in its region (when one is given)."""
    if server.region is not None and catalog.region_of_zone(server.zone) != server.region:
        return [Violation("zone", server.zone, f"zone {server.zone!r} is not in region {server.region!r}")]
    return []


SERVER = register(
    Declaration(
        "custom-cloud:Server", CustomCloudServer, InstancePublic, rules=(zone_in_region, in_subnet_zone)
    )
)
"""Servers (`POST /v1/instances`)."""
NETWORK = register(Declaration("custom-cloud:Network", CustomCloudNetwork, NetworkPublic))
"""Networks (`POST /v1/networks`)."""
SUBNET = register(
    Declaration(
        "custom-cloud:Subnet", CustomCloudSubnet, SubnetPublic, rules=(inside_network, in_network_region)
    )
)
"""Subnets (`POST /v1/subnets`)."""
LOAD_BALANCER = register(
    Declaration("custom-cloud:LoadBalancer", CustomCloudLoadBalancer, LoadBalancerPublic)
)
"""Load balancers (`POST /v1/load-balancers`)."""
VOLUME = register(Declaration("custom-cloud:Volume", CustomCloudVolume, VolumePublic))
"""Volumes (`POST /v1/volumes`)."""
VOLUME_ATTACHMENT = register(
    Declaration("custom-cloud:VolumeAttachment", CustomCloudVolumeAttachment, rules=(same_zone,))
)
"""Volume attachments (`POST /v1/volumes/{id}/attach`, `…/detach`)."""
