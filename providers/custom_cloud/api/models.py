"""Request/response models of the Custom Cloud API v1, shared by emulator and client (no server deps)."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

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

Name = Annotated[str, StringConstraints(min_length=1, max_length=63, pattern=NAME_PATTERN)]
"""A resource name (1..63 characters, NAME_PATTERN)."""

LabelKey = Annotated[str, StringConstraints(min_length=1, max_length=63)]
LabelValue = Annotated[str, StringConstraints(max_length=255)]
Labels = Annotated[dict[LabelKey, LabelValue], Field(max_length=64)]
"""Free-form labels: at most 64, keys 1..63 characters, values up to 255."""

RegionName = Literal["us-west-1", "us-west-2", "us-east-1", "eu-west-1"]
"""A catalog region (kept equal to catalog.REGIONS by a test)."""

ZoneName = Literal[
    "us-west-1a", "us-west-1b", "us-west-1c",
    "us-west-2a", "us-west-2b", "us-west-2c",
    "us-east-1a", "us-east-1b", "us-east-1c",
    "eu-west-1a", "eu-west-1b", "eu-west-1c",
]  # fmt: skip
"""A catalog zone (kept equal to catalog.ALL_ZONES by a test)."""

MachineTypeName = Literal["micro", "small", "medium", "large", "xlarge"]
"""A catalog machine type."""

DiskTypeName = Literal["ssd", "hdd"]
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


class _Request(BaseModel):
    """Request bodies reject unknown fields."""

    model_config = ConfigDict(extra="forbid")


class _Public(BaseModel):
    """Responses ignore unknown fields (forward compatible clients)."""

    model_config = ConfigDict(extra="ignore")


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


class InstanceBase(_Request):
    """Fields of an instance that the caller chooses."""

    name: Name
    """Name, unique per project and zone among instances not deleted."""
    machine_type: MachineTypeName
    """Catalog machine type."""
    zone: ZoneName
    """Catalog zone."""
    disk_size: int = Field(default=20, ge=10, le=65536)
    """Boot disk size in GB (≥ 10)."""
    disk_type: DiskTypeName = "ssd"
    """Boot disk type."""
    vpc: ResourceId | None = None
    """Network id; filled from the subnet when only `subnet` is given."""
    subnet: ResourceId | None = None
    """Subnet id (in the same zone); the private IP comes from its CIDR."""
    external_ip: bool = True
    """Whether a public IP is allocated."""
    preemptible: bool = False
    """Preemptible instance (recorded only)."""
    labels: Labels = Field(default_factory=dict)
    """Free-form labels."""
    ssh_public_key: Annotated[str, StringConstraints(max_length=16384)] | None = None
    """OpenSSH public key installed for the default user (sandbox hosts)."""
    user_data: Annotated[str, StringConstraints(max_length=65536)] | None = None
    """Startup script or cloud-init data (recorded; run by sandbox hosts)."""


class InstanceCreate(InstanceBase):
    """Body of `POST /v1/instances`."""


class InstanceUpdate(_Request):
    """Body of `PATCH /v1/instances/{id}`; absent fields are unchanged."""

    labels: Labels | None = None
    """New labels (replace the old ones)."""
    disk_size: int | None = Field(default=None, ge=10, le=65536)
    """New disk size in GB (grow only)."""
    machine_type: MachineTypeName | None = None
    """New machine type (only while `stopped`)."""


class InstancePublic(InstanceBase, _Public):
    """An instance as the API answers it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    """Instance id (`i-<hex>`)."""
    project_id: str
    """Owning project."""
    region: RegionName
    """Region of the zone."""
    status: InstanceStatus
    """Lifecycle status."""
    private_ip: str | None = None
    """Private IPv4 address."""
    public_ip: str | None = None
    """Public IPv4 address (null unless `external_ip`)."""
    created_at: datetime
    """Creation time (RFC 3339, UTC)."""
    updated_at: datetime
    """Last change (RFC 3339, UTC)."""
    hourly_cost: float
    """USD per hour: machine price + disk_size × storage price."""
    ssh_host: str | None = None
    """SSH endpoint host (null without sandbox hosts)."""
    ssh_port: int | None = None
    """SSH endpoint port (null without sandbox hosts)."""
    ssh_host_key_fingerprints: list[str] = Field(default_factory=list)
    """SHA256 host key fingerprints (empty without sandbox hosts)."""
    retained_volume_id: str | None = None
    """Volume that keeps the disk after `DELETE ?keep_storage=true`."""


# --- networks and subnets -------------------------------------------------------------------------


class NetworkBase(_Request):
    """Fields of a network that the caller chooses."""

    name: Name
    """Name, unique per project."""
    cidr: CIDR
    """Address range (/8../28)."""
    region: RegionName | None = None
    """Region (null: usable in every region)."""
    labels: Labels = Field(default_factory=dict)
    """Free-form labels."""


class NetworkCreate(NetworkBase):
    """Body of `POST /v1/networks`."""


class NetworkUpdate(_Request):
    """Body of `PATCH /v1/networks/{id}`."""

    labels: Labels | None = None
    """New labels (replace the old ones)."""


class NetworkPublic(NetworkBase, _Public):
    """A network as the API answers it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    """Network id (`net-<hex>`)."""
    project_id: str
    """Owning project."""
    status: NetworkStatus
    """Lifecycle status."""
    created_at: datetime
    """Creation time (RFC 3339, UTC)."""
    updated_at: datetime
    """Last change (RFC 3339, UTC)."""


class SubnetBase(_Request):
    """Fields of a subnet that the caller chooses."""

    name: Name
    """Name, unique per network."""
    network_id: ResourceId
    """Parent network id."""
    cidr: CIDR
    """Address range inside the network's, not overlapping sibling subnets."""
    zone: ZoneName
    """Zone (in the network's region, if it has one)."""
    labels: Labels = Field(default_factory=dict)
    """Free-form labels."""


class SubnetCreate(SubnetBase):
    """Body of `POST /v1/subnets`."""


class SubnetUpdate(_Request):
    """Body of `PATCH /v1/subnets/{id}`."""

    labels: Labels | None = None
    """New labels (replace the old ones)."""


class SubnetPublic(SubnetBase, _Public):
    """A subnet as the API answers it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    """Subnet id (`subnet-<hex>`)."""
    project_id: str
    """Owning project."""
    region: RegionName
    """Region of the zone."""
    status: NetworkStatus
    """Lifecycle status."""
    created_at: datetime
    """Creation time (RFC 3339, UTC)."""
    updated_at: datetime
    """Last change (RFC 3339, UTC)."""


# --- load balancers -------------------------------------------------------------------------------


class Listener(_Request):
    """One listener of a load balancer."""

    port: int = Field(ge=1, le=65535)
    """Port the load balancer listens on."""
    protocol: Literal["http", "tcp"] = "http"
    """Listener protocol."""
    target_port: int = Field(ge=1, le=65535)
    """Port on the targets."""


class LoadBalancerBase(_Request):
    """Fields of a load balancer that the caller chooses."""

    name: Name
    """Name, unique per project and region."""
    region: RegionName
    """Region."""
    listeners: list[Listener] = Field(min_length=1, max_length=32)
    """Listeners (1..32)."""
    target_instance_ids: list[ResourceId] = Field(default_factory=list, max_length=1000)
    """Instances receiving traffic (must exist in the project)."""
    health_check_path: Annotated[str, StringConstraints(max_length=1024, pattern=r"^/")] = "/healthz"
    """HTTP path probed on the targets."""
    labels: Labels = Field(default_factory=dict)
    """Free-form labels."""


class LoadBalancerCreate(LoadBalancerBase):
    """Body of `POST /v1/load-balancers`."""


class LoadBalancerUpdate(_Request):
    """Body of `PATCH /v1/load-balancers/{id}`; absent fields are unchanged."""

    listeners: list[Listener] | None = Field(default=None, min_length=1, max_length=32)
    """New listeners."""
    target_instance_ids: list[ResourceId] | None = Field(default=None, max_length=1000)
    """New targets."""
    health_check_path: Annotated[str, StringConstraints(max_length=1024, pattern=r"^/")] | None = None
    """New health check path."""
    labels: Labels | None = None
    """New labels (replace the old ones)."""


class LoadBalancerPublic(LoadBalancerBase, _Public):
    """A load balancer as the API answers it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    """Load balancer id (`lb-<hex>`)."""
    project_id: str
    """Owning project."""
    status: LoadBalancerStatus
    """Lifecycle status."""
    public_ip: str | None = None
    """Public IPv4 address (a record from the emulator's public pool)."""
    created_at: datetime
    """Creation time (RFC 3339, UTC)."""
    updated_at: datetime
    """Last change (RFC 3339, UTC)."""


# --- volumes --------------------------------------------------------------------------------------


class VolumeBase(_Request):
    """Fields of a volume that the caller chooses."""

    name: Name
    """Name, unique per project and zone."""
    zone: ZoneName
    """Zone."""
    size: int = Field(ge=1, le=65536)
    """Size in GB."""
    disk_type: DiskTypeName = "ssd"
    """Disk type."""
    labels: Labels = Field(default_factory=dict)
    """Free-form labels."""


class VolumeCreate(VolumeBase):
    """Body of `POST /v1/volumes`."""


class VolumeUpdate(_Request):
    """Body of `PATCH /v1/volumes/{id}`; absent fields are unchanged."""

    size: int | None = Field(default=None, ge=1, le=65536)
    """New size in GB (grow only)."""
    labels: Labels | None = None
    """New labels (replace the old ones)."""


class VolumePublic(VolumeBase, _Public):
    """A volume as the API answers it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    """Volume id (`vol-<hex>`)."""
    project_id: str
    """Owning project."""
    region: RegionName
    """Region of the zone."""
    status: VolumeStatus
    """Lifecycle status."""
    attached_to: str | None = None
    """Instance the volume is attached to (null when detached)."""
    source_instance_id: str | None = None
    """Instance whose disk this volume kept (`keep_storage=true`), else null."""
    hourly_cost: float
    """USD per hour: size × storage price."""
    created_at: datetime
    """Creation time (RFC 3339, UTC)."""
    updated_at: datetime
    """Last change (RFC 3339, UTC)."""
