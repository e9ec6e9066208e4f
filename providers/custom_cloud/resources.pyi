"""Generated from the resource declarations by
`python -m provisioning.sdk.stubgen provisioning.providers.custom_cloud.resources`: do not edit."""

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Required, TypedDict, Unpack, overload

import pulumi

from provisioning.sdk.dynamic import DynamicResource

class ListenerArgs(TypedDict, total=False):
    """One listener of a load balancer."""

    port: Required[pulumi.Input[int]]
    """Port the load balancer listens on."""
    protocol: pulumi.Input[Literal["http", "tcp"]]
    """Listener protocol. Default: 'http'."""
    target_port: Required[pulumi.Input[int]]
    """Port on the targets."""

class ServerArgs(TypedDict, total=False):
    """A Custom Cloud server: machine type, zone, disk, network, labels, SSH key and startup data."""

    name: pulumi.Input[str]
    """Name, unique per project and zone among instances not deleted. Default: the resource name."""
    machine_type: Required[pulumi.Input[str]]
    """Catalog machine type (`micro` … `xlarge`); changing it stops, resizes and starts the instance."""
    zone: Required[pulumi.Input[str]]
    """Catalog zone."""
    disk_size: pulumi.Input[int]
    """Boot disk size in GB (at least 10); grows in place, shrinking replaces. Default: 20."""
    disk_type: pulumi.Input[str]
    """Boot disk type (`ssd` or `hdd`). Default: 'ssd'."""
    vpc: pulumi.Input[str | None]
    """Network id; filled from the subnet when only `subnet` is given."""
    subnet: pulumi.Input[str | None]
    """Subnet id (in the same zone); the private IP comes from its CIDR."""
    external_ip: pulumi.Input[bool]
    """Whether a public IP is allocated. Default: True."""
    preemptible: pulumi.Input[bool]
    """Preemptible instance (recorded only). Default: False."""
    labels: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""
    ssh_public_key: pulumi.Input[str | None]
    """OpenSSH public key authorized for root on the instance (machine hosts), up to 16384
characters."""
    user_data: pulumi.Input[str | None]
    """cloud-init user data (`#cloud-config`) or a startup script (`#!`), run at first boot (by cloud-init on
machine hosts), up to 65536 characters."""
    create_timeout: pulumi.Input[float]
    """Seconds to wait until the resource is ready (and, on delete, gone) before failing. Default: 300.0."""
    region: pulumi.Input[str | None]
    """Region the zone must be in (default: the provider's `custom-cloud:region`)."""
    keep_storage: pulumi.Input[bool]
    """On delete, keep the disk as a volume (`<name>-disk`). Default: False."""

class Server(DynamicResource):
    """A Custom Cloud server (`custom-cloud:Server`)."""

    name: pulumi.Output[str]
    """Name, unique per project and zone among instances not deleted."""
    machine_type: pulumi.Output[str]
    """Catalog machine type (`micro` … `xlarge`); changing it stops, resizes and starts the instance."""
    zone: pulumi.Output[str]
    """Catalog zone."""
    disk_size: pulumi.Output[int]
    """Boot disk size in GB (at least 10); grows in place, shrinking replaces."""
    disk_type: pulumi.Output[str]
    """Boot disk type (`ssd` or `hdd`)."""
    vpc: pulumi.Output[str | None]
    """Network id; filled from the subnet when only `subnet` is given."""
    subnet: pulumi.Output[str | None]
    """Subnet id (in the same zone); the private IP comes from its CIDR."""
    external_ip: pulumi.Output[bool]
    """Whether a public IP is allocated."""
    preemptible: pulumi.Output[bool]
    """Preemptible instance (recorded only)."""
    labels: pulumi.Output[dict[str, str]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""
    ssh_public_key: pulumi.Output[str | None]
    """OpenSSH public key authorized for root on the instance (machine hosts), up to 16384
characters."""
    user_data: pulumi.Output[str | None]
    """cloud-init user data (`#cloud-config`) or a startup script (`#!`), run at first boot (by cloud-init on
machine hosts), up to 65536 characters."""
    create_timeout: pulumi.Output[float]
    """Seconds to wait until the resource is ready (and, on delete, gone) before failing."""
    region: pulumi.Output[str | None]
    """Region the zone must be in (default: the provider's `custom-cloud:region`)."""
    keep_storage: pulumi.Output[bool]
    """On delete, keep the disk as a volume (`<name>-disk`)."""
    estimated_hourly_cost: pulumi.Output[float | None]
    """USD per hour, known at preview: machine price + disk_size × storage price."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339, UTC)."""
    status: pulumi.Output[
        Literal[
            "provisioning", "running", "stopping", "stopped", "starting", "rebooting", "deleting", "deleted"
        ]
    ]
    """Lifecycle status (`running` after create)."""
    private_ip: pulumi.Output[str | None]
    """Private IPv4 address."""
    public_ip: pulumi.Output[str | None]
    """Public IPv4 address (null unless `external_ip`)."""
    ssh_host: pulumi.Output[str | None]
    """SSH endpoint host (null with record hosts)."""
    ssh_port: pulumi.Output[int | None]
    """SSH endpoint port (null with record hosts)."""
    ssh_host_key_fingerprints: pulumi.Output[list[str]]
    """SHA256 host key fingerprints (empty with record hosts)."""
    @overload
    def __init__(
        self, resource_name: str, args: ServerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None: ...
    @overload
    def __init__(
        self, resource_name: str, *, opts: pulumi.ResourceOptions | None = None, **kwargs: Unpack[ServerArgs]
    ) -> None: ...

class NetworkArgs(TypedDict, total=False):
    """A Custom Cloud network (VPC): an address range for subnets and servers."""

    name: pulumi.Input[str]
    """Name, unique per project. Default: the resource name."""
    cidr: Required[pulumi.Input[str]]
    """Address range, e.g. `10.0.0.0/16` (prefix /8../28, host bits clear)."""
    region: pulumi.Input[str | None]
    """Region (null: usable in every region)."""
    description: pulumi.Input[str]
    """What the network is for, up to 255 characters; changes in place. Default: ''."""
    labels: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""

class Network(DynamicResource):
    """A Custom Cloud network (`custom-cloud:Network`)."""

    name: pulumi.Output[str]
    """Name, unique per project."""
    cidr: pulumi.Output[str]
    """Address range, e.g. `10.0.0.0/16` (prefix /8../28, host bits clear)."""
    region: pulumi.Output[str | None]
    """Region (null: usable in every region)."""
    description: pulumi.Output[str]
    """What the network is for, up to 255 characters; changes in place."""
    labels: pulumi.Output[dict[str, str]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339, UTC)."""
    status: pulumi.Output[Literal["available", "deleting", "deleted"]]
    """Lifecycle status."""
    @overload
    def __init__(
        self, resource_name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None: ...
    @overload
    def __init__(
        self, resource_name: str, *, opts: pulumi.ResourceOptions | None = None, **kwargs: Unpack[NetworkArgs]
    ) -> None: ...

class SubnetArgs(TypedDict, total=False):
    """A Custom Cloud subnet: part of a network's range in one zone."""

    name: pulumi.Input[str]
    """Name, unique per network. Default: the resource name."""
    network_id: Required[pulumi.Input[str]]
    """Parent network id (e.g. `network.id`)."""
    cidr: Required[pulumi.Input[str]]
    """Address range inside the network's, not overlapping sibling subnets."""
    zone: Required[pulumi.Input[str]]
    """Zone (in the network's region, if it has one)."""
    labels: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""

class Subnet(DynamicResource):
    """A Custom Cloud subnet (`custom-cloud:Subnet`)."""

    name: pulumi.Output[str]
    """Name, unique per network."""
    network_id: pulumi.Output[str]
    """Parent network id (e.g. `network.id`)."""
    cidr: pulumi.Output[str]
    """Address range inside the network's, not overlapping sibling subnets."""
    zone: pulumi.Output[str]
    """Zone (in the network's region, if it has one)."""
    labels: pulumi.Output[dict[str, str]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339, UTC)."""
    region: pulumi.Output[str]
    """Region of the zone."""
    status: pulumi.Output[Literal["available", "deleting", "deleted"]]
    """Lifecycle status."""
    @overload
    def __init__(
        self, resource_name: str, args: SubnetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None: ...
    @overload
    def __init__(
        self, resource_name: str, *, opts: pulumi.ResourceOptions | None = None, **kwargs: Unpack[SubnetArgs]
    ) -> None: ...

class LoadBalancerArgs(TypedDict, total=False):
    """A Custom Cloud load balancer: listeners forwarding to servers, with an HTTP health check."""

    name: pulumi.Input[str]
    """Name, unique per project and region. Default: the resource name."""
    region: Required[pulumi.Input[str]]
    """Catalog region."""
    listeners: Required[pulumi.Input[Sequence[pulumi.Input[ListenerArgs]]]]
    """Listeners (1..32): `[{"port": 80, "protocol": "http", "target_port": 8080}]`."""
    target_instance_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Server ids receiving traffic (at most 1000, existing in the project)."""
    health_check_path: pulumi.Input[str]
    """HTTP path probed on the targets (starts with `/`). Default: '/healthz'."""
    labels: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""
    create_timeout: pulumi.Input[float]
    """Seconds to wait until the resource is ready (and, on delete, gone) before failing. Default: 300.0."""

class LoadBalancer(DynamicResource):
    """A Custom Cloud load balancer (`custom-cloud:LoadBalancer`)."""

    name: pulumi.Output[str]
    """Name, unique per project and region."""
    region: pulumi.Output[str]
    """Catalog region."""
    listeners: pulumi.Output[list[dict[str, Any]]]
    """Listeners (1..32): `[{"port": 80, "protocol": "http", "target_port": 8080}]`."""
    target_instance_ids: pulumi.Output[list[str]]
    """Server ids receiving traffic (at most 1000, existing in the project)."""
    health_check_path: pulumi.Output[str]
    """HTTP path probed on the targets (starts with `/`)."""
    labels: pulumi.Output[dict[str, str]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""
    create_timeout: pulumi.Output[float]
    """Seconds to wait until the resource is ready (and, on delete, gone) before failing."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339, UTC)."""
    status: pulumi.Output[Literal["provisioning", "active", "deleting", "deleted"]]
    """Lifecycle status (`active` after create)."""
    public_ip: pulumi.Output[str | None]
    """Public IPv4 address (a record from the emulator's public pool)."""
    @overload
    def __init__(
        self, resource_name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None: ...
    @overload
    def __init__(
        self,
        resource_name: str,
        *,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Unpack[LoadBalancerArgs],
    ) -> None: ...

class VolumeArgs(TypedDict, total=False):
    """A Custom Cloud volume: a disk in one zone."""

    name: pulumi.Input[str]
    """Name, unique per project and zone. Default: the resource name."""
    zone: Required[pulumi.Input[str]]
    """Catalog zone."""
    size: Required[pulumi.Input[int]]
    """Size in GB (1..65536); grows in place, shrinking replaces."""
    disk_type: pulumi.Input[str]
    """Disk type (`ssd` or `hdd`). Default: 'ssd'."""
    labels: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""

class Volume(DynamicResource):
    """A Custom Cloud volume (`custom-cloud:Volume`)."""

    name: pulumi.Output[str]
    """Name, unique per project and zone."""
    zone: pulumi.Output[str]
    """Catalog zone."""
    size: pulumi.Output[int]
    """Size in GB (1..65536); grows in place, shrinking replaces."""
    disk_type: pulumi.Output[str]
    """Disk type (`ssd` or `hdd`)."""
    labels: pulumi.Output[dict[str, str]]
    """Free-form labels: at most 64, keys 1..63 characters, values up to 255."""
    estimated_hourly_cost: pulumi.Output[float | None]
    """USD per hour, known at preview: size × storage price."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339, UTC)."""
    region: pulumi.Output[str]
    """Region of the zone."""
    status: pulumi.Output[Literal["available", "in-use", "deleting", "deleted"]]
    """Lifecycle status."""
    attached_to: pulumi.Output[str | None]
    """Instance the volume is attached to (null when detached)."""
    hourly_cost: pulumi.Output[float]
    """USD per hour: size × storage price."""
    @overload
    def __init__(
        self, resource_name: str, args: VolumeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None: ...
    @overload
    def __init__(
        self, resource_name: str, *, opts: pulumi.ResourceOptions | None = None, **kwargs: Unpack[VolumeArgs]
    ) -> None: ...

class VolumeAttachmentArgs(TypedDict, total=False):
    """A Custom Cloud volume attachment: one volume attached to one server of its zone."""

    volume_id: Required[pulumi.Input[str]]
    """Volume to attach (e.g. `volume.id`); changing it replaces the attachment."""
    server_id: Required[pulumi.Input[str]]
    """Server in the volume's zone to attach it to (e.g. `server.id`); changing it replaces the attachment."""

class VolumeAttachment(DynamicResource):
    """A volume attached to a server of its zone (`custom-cloud:VolumeAttachment`).

    When `volume_id` and `server_id` come from a Volume and a Server of the program, their zones are
    compared at preview, before either id is known."""

    volume_id: pulumi.Output[str]
    """Volume to attach (e.g. `volume.id`); changing it replaces the attachment."""
    server_id: pulumi.Output[str]
    """Server in the volume's zone to attach it to (e.g. `server.id`); changing it replaces the attachment."""
    @overload
    def __init__(
        self, resource_name: str, args: VolumeAttachmentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None: ...
    @overload
    def __init__(
        self,
        resource_name: str,
        *,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Unpack[VolumeAttachmentArgs],
    ) -> None: ...
