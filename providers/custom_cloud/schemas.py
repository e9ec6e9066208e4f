"""Input schemas of the Custom Cloud resources (what `check` validates): the seed's CustomCloudServer and
the network, subnet, load balancer and volume arguments, with the seed's checks and catalog checks."""

from __future__ import annotations

from typing import Annotated

from provisioning.sdk.schemas import SchemaModel, ServerConfig
from pydantic import Field, StringConstraints, field_validator

from .api import catalog
from .api.models import CIDR, NAME_PATTERN, Listener

__all__ = [
    "DEFAULT_CREATE_TIMEOUT",
    "CustomCloudServer",
    "LoadBalancerSchema",
    "NetworkSchema",
    "SubnetSchema",
    "VolumeSchema",
    "check_disk_type",
    "check_zone",
]

DEFAULT_CREATE_TIMEOUT = 300.0
"""Seconds a create waits for its resource to be ready (the seed's `--timeout 300`)."""

ResourceName = Annotated[str, StringConstraints(min_length=1, max_length=63, pattern=NAME_PATTERN)]
"""A Custom Cloud name: lowercase letters, digits and dashes, starting with a letter."""


def check_zone(value: str) -> str:
    """A catalog zone."""
    if value not in catalog.ALL_ZONES:
        raise ValueError(f"unknown zone {value!r}; known: {', '.join(catalog.ALL_ZONES)}")
    return value


def check_region(value: str | None) -> str | None:
    """A catalog region (or none)."""
    if value is not None and value not in catalog.REGIONS:
        raise ValueError(f"unknown region {value!r}; known: {', '.join(catalog.REGIONS)}")
    return value


def check_disk_type(value: str) -> str:
    """A catalog disk type."""
    if value not in catalog.DISK_TYPES:
        raise ValueError(f"unknown disk_type {value!r}; known: {', '.join(catalog.DISK_TYPES)}")
    return value


class CustomCloudServer(ServerConfig):
    """Server configuration for Custom Cloud (the seed's CustomCloudServer) plus lifecycle options."""

    name: ResourceName | None = None
    """Server name, unique per zone; defaults to the Pulumi resource name."""
    machine_type: str
    """Catalog machine type (`micro` … `xlarge`)."""
    zone: str
    """Catalog zone, inside `region`."""
    disk_size: int = 20
    """Boot disk size in GB (at least 10; grows in place, shrinking replaces)."""
    disk_type: str = "ssd"
    """Boot disk type (`ssd` or `hdd`)."""
    vpc: str | None = None
    """Network id."""
    subnet: str | None = None
    """Subnet id."""
    external_ip: bool = True
    """Allocate a public IP."""
    preemptible: bool = False
    """Preemptible instance."""
    region: str | None = None
    """Region the zone must be in; defaults to the provider's `custom-cloud:region`."""
    ssh_public_key: str | None = None
    """OpenSSH public key for the default user."""
    user_data: str | None = None
    """Startup script or cloud-init data."""
    create_timeout: float = Field(default=DEFAULT_CREATE_TIMEOUT, gt=0)
    """Seconds to wait for `running` (and for deletion to finish) before failing."""
    keep_storage: bool = False
    """On delete, keep the disk as a volume."""
    estimated_hourly_cost: float | None = None
    """Computed by `check`: machine price + disk_size × storage price (USD per hour)."""
    idempotency_scope: str | None = None
    """Computed by the resource: project/stack/type/name, the stable part of the Idempotency-Key."""

    @field_validator("machine_type")
    @classmethod
    def _machine_type(cls, value: str) -> str:
        if len(value) == 0:
            raise ValueError("machine_type cannot be empty")
        if value not in catalog.MACHINE_TYPES:
            raise ValueError(f"unknown machine_type {value!r}; known: {', '.join(catalog.MACHINE_TYPES)}")
        return value

    @field_validator("disk_size")
    @classmethod
    def _disk_size(cls, value: int) -> int:
        if value < 10:
            raise ValueError("disk_size must be at least 10GB")
        return value

    _zone = field_validator("zone")(classmethod(lambda cls, v: check_zone(v)))
    _disk_type = field_validator("disk_type")(classmethod(lambda cls, v: check_disk_type(v)))
    _region = field_validator("region")(classmethod(lambda cls, v: check_region(v)))


class NetworkSchema(SchemaModel):
    """Arguments of a network."""

    name: ResourceName
    """Name, unique per project."""
    cidr: CIDR
    """Address range (/8../28)."""
    region: str | None = None
    """Region (none: every region)."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Free-form labels."""

    _region = field_validator("region")(classmethod(lambda cls, v: check_region(v)))


class SubnetSchema(SchemaModel):
    """Arguments of a subnet."""

    name: ResourceName
    """Name, unique per network."""
    network_id: str
    """Parent network id."""
    cidr: CIDR
    """Address range inside the network's."""
    zone: str
    """Catalog zone."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Free-form labels."""

    _zone = field_validator("zone")(classmethod(lambda cls, v: check_zone(v)))


class LoadBalancerSchema(SchemaModel):
    """Arguments of a load balancer."""

    name: ResourceName
    """Name, unique per project and region."""
    region: str
    """Catalog region."""
    listeners: list[Listener] = Field(min_length=1)
    """Listeners (at least one)."""
    target_instance_ids: list[str] = Field(default_factory=list)
    """Instances receiving traffic."""
    health_check_path: str = Field(default="/healthz", pattern=r"^/")
    """HTTP path probed on the targets."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Free-form labels."""
    create_timeout: float = Field(default=DEFAULT_CREATE_TIMEOUT, gt=0)
    """Seconds to wait for `active`."""

    _region = field_validator("region")(classmethod(lambda cls, v: check_region(v)))


class VolumeSchema(SchemaModel):
    """Arguments of a volume."""

    name: ResourceName
    """Name, unique per project and zone."""
    zone: str
    """Catalog zone."""
    size: int = Field(ge=1)
    """Size in GB (grows in place, shrinking replaces)."""
    disk_type: str = "ssd"
    """Disk type."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Free-form labels."""

    _zone = field_validator("zone")(classmethod(lambda cls, v: check_zone(v)))
    _disk_type = field_validator("disk_type")(classmethod(lambda cls, v: check_disk_type(v)))
