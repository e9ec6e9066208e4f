"""Request/response models of the Custom Cloud API v1, shared by emulator and client (no server deps)."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from provisioning.sdk.documented import DocumentedModel
from provisioning.sdk.fields import (
    FILLED_BY_SERVICE,
    FROM_RESOURCE_NAME,
    GROW_ONLY,
    IN_PLACE,
    OUTPUT,
    update_model,
)
from provisioning.sdk.rules import AtLeast, InCatalog, Matches

from . import catalog

__all__ = [
    "CIDR",
    "DiskTypeName",
    "DiskTypePublic",
    "ErrorBody",
    "ErrorEnvelope",
    "InstanceBase",
    "InstanceCreate",
    "InstancePublic",
    "InstanceStatus",
    "InstanceUpdate",
    "Items",
    "Labels",
    "Listener",
    "LoadBalancerBase",
    "LoadBalancerCreate",
    "LoadBalancerPublic",
    "LoadBalancerStatus",
    "LoadBalancerUpdate",
    "MachineTypeName",
    "MachineTypePublic",
    "NAME_PATTERN",
    "Name",
    "NetworkBase",
    "NetworkCreate",
    "NetworkPublic",
    "NetworkUpdate",
    "Page",
    "Pricing",
    "RegionName",
    "RegionPublic",
    "SubnetBase",
    "SubnetCreate",
    "SubnetPublic",
    "SubnetUpdate",
    "VolumeAttach",
    "VolumeBase",
    "VolumeCreate",
    "VolumePublic",
    "VolumeStatus",
    "VolumeUpdate",
    "ZoneName",
]

T = TypeVar("T")

NAME_PATTERN = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
"""Resource names: lowercase letters, digits and dashes, starting with a letter, not ending with a dash."""

Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=63),
    Matches(
        NAME_PATTERN, "lowercase letters, digits and dashes, starting with a letter, not ending with a dash"
    ),
]
"""A resource name (1..63 characters, NAME_PATTERN)."""

LabelKey = Annotated[str, StringConstraints(min_length=1, max_length=63)]
LabelValue = Annotated[str, StringConstraints(max_length=255)]
Labels = Annotated[
    dict[LabelKey, LabelValue],
    Field(
        max_length=64, description="Free-form labels: at most 64, keys 1..63 characters, values up to 255."
    ),
]
"""Free-form labels (its description is every `labels` field's)."""

RegionName = Annotated[str, InCatalog(catalog.REGIONS)]
"""A catalog region."""

ZoneName = Annotated[str, InCatalog(catalog.ALL_ZONES)]
"""A catalog zone."""

MachineTypeName = Annotated[str, InCatalog(tuple(catalog.MACHINE_TYPES))]
"""A catalog machine type."""

DiskTypeName = Annotated[str, InCatalog(catalog.DISK_TYPES)]
"""A catalog disk type."""

InstanceStatus = Literal[
    "provisioning", "running", "stopping", "stopped", "starting", "rebooting", "deleting", "deleted"
]
"""Lifecycle states of an instance."""

LoadBalancerStatus = Literal["provisioning", "active", "deleting", "deleted"]
"""Lifecycle states of a load balancer."""

VolumeStatus = Literal["available", "in-use", "deleting", "deleted"]
"""Lifecycle states of a volume."""

NetworkStatus = Literal["available", "deleting", "deleted"]
"""Lifecycle states of a network or subnet."""


def _check_cidr(value: str) -> str:
    """An IPv4 network in CIDR notation with host bits clear and prefix /8../28."""
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"not a valid IPv4 network: {exc}") from None
    if not 8 <= net.prefixlen <= 28:
        raise ValueError("prefix length must be between /8 and /28")
    return str(net)


CIDR = Annotated[
    str,
    StringConstraints(min_length=9, max_length=18, pattern=r"^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$"),
    AfterValidator(_check_cidr),
]
"""An IPv4 network (`10.0.0.0/16`), prefix /8../28, host bits clear."""

ResourceId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
"""An id handed out by the API (`i-…`, `net-…`, `subnet-…`, `lb-…`, `vol-…`)."""


class _Request(DocumentedModel):
    """Request bodies reject unknown fields; the docstring under a field is its description."""

    model_config = ConfigDict(extra="forbid")


class _Public(DocumentedModel):
    """Responses ignore unknown fields (forward compatible clients)."""

    model_config = ConfigDict(extra="ignore")


class _Stored(_Public):
    """What the API adds to every resource it stores."""

    id: str
    """Id handed out by the API (`i-…`, `net-…`, `subnet-…`, `lb-…`, `vol-…`)."""
    project_id: str
    """Owning project."""
    created_at: Annotated[datetime, OUTPUT]
    """Creation time (RFC 3339, UTC)."""
    updated_at: datetime
    """Last change (RFC 3339, UTC)."""


class _Zonal(_Stored):
    """A stored resource that lives in one zone."""

    region: Annotated[RegionName, OUTPUT]
    """Region of the zone."""


# --- errors ---------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """The `error` member of every error response."""

    code: str
    """Machine-readable code (`not_found`, `validation_failed`, …)."""
    message: str
    """Human-readable message naming the field or resource at fault."""
    details: dict[str, Any] = Field(default_factory=dict)
    """Structured details: `field`/`value`/`rule`/`errors` for validation, `dependents` for conflicts."""


class ErrorEnvelope(BaseModel):
    """Every error response: `{"error": {code, message, details}}`."""

    error: ErrorBody
    """The error."""


# --- lists ----------------------------------------------------------------------------------------


class Page(BaseModel, Generic[T]):
    """One page of a list route."""

    items: list[T]
    """Resources of this page, oldest first."""
    next_page_token: str | None = None
    """Opaque token for the next page, null on the last page."""


class Items(BaseModel, Generic[T]):
    """An unpaginated catalog list."""

    items: list[T]
    """All entries."""


# --- catalog --------------------------------------------------------------------------------------


class RegionPublic(BaseModel):
    """A region and its zones."""

    name: RegionName
    """Region name."""
    zones: list[ZoneName]
    """Zones of the region."""


class MachineTypePublic(BaseModel):
    """A machine type and its price."""

    name: MachineTypeName
    """Machine type name."""
    vcpus: int
    """Virtual CPUs."""
    memory_gb: int
    """Memory in GiB."""
    hourly_price: float
    """USD per hour without storage."""


class DiskTypePublic(BaseModel):
    """A disk type."""

    name: DiskTypeName
    """Disk type name."""


class Pricing(BaseModel):
    """The price list."""

    currency: Literal["USD"] = "USD"
    """Currency of every price."""
    machine_types: dict[str, float]
    """USD per hour by machine type."""
    storage_gb_hour: float
    """USD per GB of disk per hour."""


# --- instances ------------------------------------------------------------------------------------

DiskSize = Annotated[int, Field(le=65536), AtLeast(10, "GB")]
"""A boot disk size in GB: at least 10, at most 65536."""

InPlaceLabels = Annotated[Labels, IN_PLACE]
"""Labels, which every resource changes in place."""


class InstanceBase(_Request):
    """Fields of an instance that the caller chooses."""

    name: Annotated[Name, FROM_RESOURCE_NAME]
    """Name, unique per project and zone among instances not deleted."""
    machine_type: Annotated[MachineTypeName, IN_PLACE]
    """Catalog machine type (`micro` … `xlarge`); changing it stops, resizes and starts the instance."""
    zone: ZoneName
    """Catalog zone."""
    disk_size: Annotated[DiskSize, GROW_ONLY] = 20
    """Boot disk size in GB (at least 10); grows in place, shrinking replaces."""
    disk_type: DiskTypeName = "ssd"
    """Boot disk type (`ssd` or `hdd`)."""
    vpc: Annotated[ResourceId | None, FILLED_BY_SERVICE] = None
    """Network id; filled from the subnet when only `subnet` is given."""
    subnet: ResourceId | None = None
    """Subnet id (in the same zone); the private IP comes from its CIDR."""
    external_ip: bool = True
    """Whether a public IP is allocated."""
    preemptible: bool = False
    """Preemptible instance (recorded only)."""
    labels: InPlaceLabels = Field(default_factory=dict)
    ssh_public_key: Annotated[str, StringConstraints(max_length=16384)] | None = None
    """OpenSSH public key authorized for root on the instance (machine hosts), up to 16384
    characters."""
    user_data: Annotated[str, StringConstraints(max_length=65536)] | None = None
    """cloud-init user data (`#cloud-config`) or a startup script (`#!`), run at first boot (by cloud-init on
    machine hosts), up to 65536 characters."""


class InstanceCreate(InstanceBase):
    """Body of `POST /v1/instances`."""


class InstanceUpdate(update_model(InstanceBase)):  # type: ignore[misc]  # fields derived
    """Body of `PATCH /v1/instances/{id}` (machine type only while stopped)."""


class InstancePublic(InstanceBase, _Zonal):
    """An instance as the API answers it."""

    status: Annotated[InstanceStatus, OUTPUT]
    """Lifecycle status (`running` after create)."""
    private_ip: Annotated[str | None, OUTPUT] = None
    """Private IPv4 address."""
    public_ip: Annotated[str | None, OUTPUT] = None
    """Public IPv4 address (null unless `external_ip`)."""
    hourly_cost: float
    """USD per hour: machine price + disk_size × storage price."""
    ssh_host: Annotated[str | None, OUTPUT] = None
    """SSH endpoint host (null with record hosts)."""
    ssh_port: Annotated[int | None, OUTPUT] = None
    """SSH endpoint port (null with record hosts)."""
    ssh_host_key_fingerprints: Annotated[list[str], OUTPUT] = Field(default_factory=list)
    """SHA256 host key fingerprints (empty with record hosts)."""
    retained_volume_id: str | None = None
    """Volume that keeps the disk after `DELETE ?keep_storage=true`."""


# --- networks and subnets -------------------------------------------------------------------------


class NetworkBase(_Request):
    """Fields of a network that the caller chooses."""

    name: Annotated[Name, FROM_RESOURCE_NAME]
    """Name, unique per project."""
    cidr: CIDR
    """Address range, e.g. `10.0.0.0/16` (prefix /8../28, host bits clear)."""
    region: RegionName | None = None
    """Region (null: usable in every region)."""
    description: Annotated[str, StringConstraints(max_length=255), IN_PLACE] = ""
    """What the network is for, up to 255 characters; changes in place."""
    labels: InPlaceLabels = Field(default_factory=dict)


class NetworkCreate(NetworkBase):
    """Body of `POST /v1/networks`."""


class NetworkUpdate(update_model(NetworkBase)):  # type: ignore[misc]  # fields derived
    """Body of `PATCH /v1/networks/{id}`."""


class NetworkPublic(NetworkBase, _Stored):
    """A network as the API answers it."""

    status: Annotated[NetworkStatus, OUTPUT]
    """Lifecycle status."""


class SubnetBase(_Request):
    """Fields of a subnet that the caller chooses."""

    name: Annotated[Name, FROM_RESOURCE_NAME]
    """Name, unique per network."""
    network_id: ResourceId
    """Parent network id (e.g. `network.id`)."""
    cidr: CIDR
    """Address range inside the network's, not overlapping sibling subnets."""
    zone: ZoneName
    """Zone (in the network's region, if it has one)."""
    labels: InPlaceLabels = Field(default_factory=dict)


class SubnetCreate(SubnetBase):
    """Body of `POST /v1/subnets`."""


class SubnetUpdate(update_model(SubnetBase)):  # type: ignore[misc]  # fields derived
    """Body of `PATCH /v1/subnets/{id}`."""


class SubnetPublic(SubnetBase, _Zonal):
    """A subnet as the API answers it."""

    status: Annotated[NetworkStatus, OUTPUT]
    """Lifecycle status."""


# --- load balancers -------------------------------------------------------------------------------


class Listener(_Request):
    """One listener of a load balancer."""

    port: int = Field(ge=1, le=65535)
    """Port the load balancer listens on."""
    protocol: Literal["http", "tcp"] = "http"
    """Listener protocol."""
    target_port: int = Field(ge=1, le=65535)
    """Port on the targets."""


HttpPath = Annotated[str, StringConstraints(max_length=1024, pattern=r"^/")]
"""An HTTP path: starts with `/`, up to 1024 characters."""


class LoadBalancerBase(_Request):
    """Fields of a load balancer that the caller chooses."""

    name: Annotated[Name, FROM_RESOURCE_NAME]
    """Name, unique per project and region."""
    region: RegionName
    """Catalog region."""
    listeners: Annotated[list[Listener], Field(min_length=1, max_length=32), IN_PLACE]
    """Listeners (1..32): `[{"port": 80, "protocol": "http", "target_port": 8080}]`."""
    target_instance_ids: Annotated[list[ResourceId], Field(max_length=1000), IN_PLACE] = Field(
        default_factory=list
    )
    """Server ids receiving traffic (at most 1000, existing in the project)."""
    health_check_path: Annotated[HttpPath, IN_PLACE] = "/healthz"
    """HTTP path probed on the targets (starts with `/`)."""
    labels: InPlaceLabels = Field(default_factory=dict)


class LoadBalancerCreate(LoadBalancerBase):
    """Body of `POST /v1/load-balancers`."""


class LoadBalancerUpdate(update_model(LoadBalancerBase)):  # type: ignore[misc]  # fields derived
    """Body of `PATCH /v1/load-balancers/{id}`."""


class LoadBalancerPublic(LoadBalancerBase, _Stored):
    """A load balancer as the API answers it."""

    status: Annotated[LoadBalancerStatus, OUTPUT]
    """Lifecycle status (`active` after create)."""
    public_ip: Annotated[str | None, OUTPUT] = None
    """Public IPv4 address (a record from the emulator's public pool)."""


# --- volumes --------------------------------------------------------------------------------------


class VolumeBase(_Request):
    """Fields of a volume that the caller chooses."""

    name: Annotated[Name, FROM_RESOURCE_NAME]
    """Name, unique per project and zone."""
    zone: ZoneName
    """Catalog zone."""
    size: Annotated[int, Field(ge=1, le=65536), GROW_ONLY]
    """Size in GB (1..65536); grows in place, shrinking replaces."""
    disk_type: DiskTypeName = "ssd"
    """Disk type (`ssd` or `hdd`)."""
    labels: InPlaceLabels = Field(default_factory=dict)


class VolumeCreate(VolumeBase):
    """Body of `POST /v1/volumes`."""


class VolumeUpdate(update_model(VolumeBase)):  # type: ignore[misc]  # fields derived
    """Body of `PATCH /v1/volumes/{id}`."""


class VolumeAttach(_Request):
    """Body of `POST /v1/volumes/{id}/attach`."""

    instance_id: ResourceId
    """Instance to attach the volume to: in the volume's zone, not deleting (e.g. `server.id`)."""


class VolumePublic(VolumeBase, _Zonal):
    """A volume as the API answers it."""

    status: Annotated[VolumeStatus, OUTPUT]
    """Lifecycle status."""
    attached_to: Annotated[str | None, OUTPUT] = None
    """Instance the volume is attached to (null when detached)."""
    source_instance_id: str | None = None
    """Instance whose disk this volume kept (`keep_storage=true`), else null."""
    hourly_cost: Annotated[float, OUTPUT]
    """USD per hour: size × storage price."""
