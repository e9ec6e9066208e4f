"""The WebStack declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:clusters:WebStack` (kind "cluster"). Named by the `provisioning.clusters` entry point.
Imports no Pulumi."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from provisioning.providers.custom_cloud.api import catalog
from provisioning.sdk.cluster.settings import ClusterSettings, Costly, Fixed
from provisioning.sdk.registry import Declaration, register
from provisioning.sdk.rules import InCatalog, Matches, NotEmpty
from provisioning.sdk.taskservice.rules import InRange
from provisioning.sdk.taskservice.settings import SettingsModel
from provisioning.sdk.validation import Violation

from .instance_types import KNOWN_INSTANCE_TYPES

__all__ = [
    "DATABASE_TYPES",
    "WEB_STACK",
    "AppTierSettings",
    "AutoScalingSettings",
    "DatabaseTierSettings",
    "LoadBalancerSettings",
    "MonitoringSettings",
    "NetworkSettings",
    "WebStackConfig",
    "WebTierSettings",
]

DATABASE_TYPES = ("postgresql", "mysql", "custom-database")
"""What `database_tier.type` accepts: PostgreSQL, MariaDB (mysql) or CustomDatabase."""

_INSTANCE_TYPE = InCatalog(KNOWN_INSTANCE_TYPES)
_URL_PATH = Matches(r"/[A-Za-z0-9._~/-]*", "a path starting with '/' of letters, digits and . _ ~ / -")
_DURATION = Matches(
    r"([1-9][0-9]*(ms|s|m|h|d|w|y))+", "a duration: a whole number and ms, s, m, h, d, w or y (15s, 30d)"
)


def _at_least_one(section: str, field: str, value: int) -> int:
    if value < 1:
        raise ValueError(f"{section} {field} must be at least 1")
    return value


class LoadBalancerSettings(SettingsModel):
    """The load balancer in front of the web tier: HAProxy on its own server with a public address."""

    enabled: Annotated[
        bool,
        Costly(
            "turned off, the load balancer is deleted with its public address: the stack's endpoint becomes "
            "the first web server's address and clients of the old one get downtime from then on; turned "
            "on, the stack gets a new public address"
        ),
    ] = True
    """Put a load balancer in front of the web servers."""
    ssl: bool = True
    """Also serve HTTPS (port 443) with a certificate generated on the load balancer."""
    health_check_path: Annotated[str, _URL_PATH] = "/health"
    """HTTP path the proxies check on the servers behind them (a 2xx or 3xx answer is up)."""


class WebTierSettings(SettingsModel):
    """The web servers: HAProxy on each, proxying to every app server."""

    replicas: int = 3
    """How many web servers (at least 1)."""
    instance_type: Annotated[str, _INSTANCE_TYPE] = "t3.medium"
    """Instance type of each web server (see the instance type table)."""
    load_balancer: LoadBalancerSettings = Field(default_factory=LoadBalancerSettings)
    """The load balancer in front of them."""

    @field_validator("replicas")
    @classmethod
    def _replicas(cls, value: int) -> int:
        return _at_least_one("web_tier", "replicas", value)


class AutoScalingSettings(SettingsModel):
    """Bounds and threshold for scaling the app tier on its CPU (`provisioning cluster autoscale`)."""

    enabled: bool = True
    """Scale the app tier within min_replicas and max_replicas on its CPU."""
    min_replicas: int = 2
    """Fewest app servers (at least 1)."""
    max_replicas: int = 10
    """Most app servers (at least min_replicas)."""
    cpu_threshold: Annotated[int, InRange(0, 101, "must be between 1 and 100")] = 70
    """CPU percentage of the app processes above which the tier scales out (and the CPU alert fires)."""

    @field_validator("min_replicas", "max_replicas")
    @classmethod
    def _bounds(cls, value: int, info: object) -> int:
        return _at_least_one("app_tier.auto_scaling", str(getattr(info, "field_name", "")), value)


class AppTierSettings(SettingsModel):
    """The app servers: each runs the web application, which reads and writes the database."""

    replicas: int = 5
    """How many app servers (at least 1; within the auto scaling bounds when it is on)."""
    instance_type: Annotated[str, _INSTANCE_TYPE] = "t3.large"
    """Instance type of each app server (see the instance type table)."""
    auto_scaling: AutoScalingSettings = Field(default_factory=AutoScalingSettings)
    """Scaling on CPU."""
    update_batch_size: int = 1
    """How many app servers a rolling update releases at once (at least 1)."""

    @field_validator("replicas", "update_batch_size")
    @classmethod
    def _positive(cls, value: int, info: object) -> int:
        return _at_least_one("app_tier", str(getattr(info, "field_name", "")), value)


class DatabaseTierSettings(SettingsModel):
    """The database: PostgreSQL, MariaDB (mysql) or CustomDatabase, with a streaming replica for HA."""

    type: Annotated[
        str,
        InCatalog(DATABASE_TYPES),
        Fixed("the database service with a new, empty database of the other type (the data is not moved)"),
    ] = "postgresql"
    """`postgresql`, `mysql` (MariaDB) or `custom-database` (CustomDatabase)."""
    instance_type: Annotated[str, _INSTANCE_TYPE] = "t3.xlarge"
    """Instance type of each database server (see the instance type table)."""
    high_availability: bool = True
    """A primary and a read-only replica streaming from it, on two servers in the database subnets."""
    backup_enabled: bool = True
    """Scheduled dumps on the database servers."""


class MonitoringSettings(SettingsModel):
    """Prometheus on its own server, with node exporters on every server of the stack."""

    enabled: Annotated[
        bool,
        Costly(
            "turned off, the monitoring server is deleted with every sample Prometheus kept; turned on, a "
            "monitoring server is added and every server gets a node exporter"
        ),
    ] = True
    """Deploy monitoring."""
    metrics_retention: Annotated[str, _DURATION] = "30d"
    """How long Prometheus keeps samples."""
    alerting: bool = True
    """Alert rules: a scrape target down, app CPU over `app_tier.auto_scaling.cpu_threshold`."""


def _network(value: str, field: str) -> str:
    try:
        ipaddress.IPv4Network(value)
    except ValueError:
        raise ValueError(
            f"{field} {value!r} must be an IPv4 network with its host bits clear (10.0.1.0/24)"
        ) from None
    return value


_SUBNET_BLOCKS = {"public_subnets": (1, 2), "private_subnets": (10, 20), "database_subnets": (100, 200)}
"""Which blocks of the VPC each kind of subnet takes when not given: the VPC cut into blocks 8 bits longer
(a /16 into /24s), so 10.0.0.0/16 gives 10.0.1.0/24, 10.0.2.0/24, 10.0.10.0/24 and so on."""
_SMALLEST_SUBNET = 28
"""The longest prefix a subnet may have (the Custom Cloud API's rule)."""


def subnets_of(vpc_cidr: str) -> dict[str, list[str]] | None:
    """The subnets each kind takes in `vpc_cidr` when not given, or None when the VPC is too small to cut
    into blocks 8 bits longer (a prefix longer than /20)."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    prefix = vpc.prefixlen + 8
    if prefix > _SMALLEST_SUBNET:
        return None
    size = 2 ** (32 - prefix)
    return {
        kind: [f"{vpc.network_address + block * size}/{prefix}" for block in blocks]
        for kind, blocks in _SUBNET_BLOCKS.items()
    }


class NetworkSettings(SettingsModel):
    """The VPC and its six subnets: public (web, load balancer), private (app, monitoring), database.
    Subnets not given follow vpc_cidr (see `subnets_of`)."""

    vpc_cidr: Annotated[
        str,
        Fixed(
            "the network, every subnet and every server, with the database's data and the load balancer's "
            "public address"
        ),
    ] = "10.0.0.0/16"
    """The VPC's address range."""
    public_subnets: Annotated[
        list[str], Fixed("the web servers and the load balancer in them, with its public address")
    ] = Field(default_factory=lambda: ["10.0.1.0/24", "10.0.2.0/24"])
    """Subnets of the web servers and the load balancer (servers alternate between them); when not given,
    blocks 1 and 2 of vpc_cidr cut 8 bits longer (10.0.1.0/24 and 10.0.2.0/24 of 10.0.0.0/16)."""
    private_subnets: Annotated[
        list[str], Fixed("the app servers and the monitoring server in them, with Prometheus's samples")
    ] = Field(default_factory=lambda: ["10.0.10.0/24", "10.0.20.0/24"])
    """Subnets of the app servers and the monitoring server (servers alternate between them); when not
    given, blocks 10 and 20 of vpc_cidr cut 8 bits longer."""
    database_subnets: Annotated[
        list[str], Fixed("the database servers in them, with the database's data")
    ] = Field(default_factory=lambda: ["10.0.100.0/24", "10.0.200.0/24"])
    """Subnets of the database servers (the primary in the first, the replica in the second); when not
    given, blocks 100 and 200 of vpc_cidr cut 8 bits longer."""
    zones: Annotated[
        list[Annotated[str, InCatalog(catalog.ALL_ZONES)]],
        Fixed(
            "every subnet and every server (a subnet's zone cannot change), with the database's data and "
            "the load balancer's public address"
        ),
    ] = Field(default_factory=lambda: ["us-west-1a", "us-west-1b"])
    """Zones the subnets of each kind alternate between (in the provider's region)."""

    @model_validator(mode="before")
    @classmethod
    def _subnets_follow_the_vpc(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("vpc_cidr"), str):
            return data
        try:
            derived = subnets_of(data["vpc_cidr"])
        except ValueError:
            return data  # vpc_cidr's own rule names the problem
        if derived is None:
            return data
        return {**data, **{kind: cidrs for kind, cidrs in derived.items() if data.get(kind) is None}}

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc(cls, value: str) -> str:
        return _network(value, "vpc_cidr")

    @field_validator("public_subnets", "private_subnets", "database_subnets", "zones")
    @classmethod
    def _subnets(cls, value: list[str], info: object) -> list[str]:
        field = str(getattr(info, "field_name", ""))
        if not value:
            raise ValueError(f"{field} must list at least one {'zone' if field == 'zones' else 'subnet'}")
        if field != "zones":
            for item in value:
                _network(item, field + " item")
        return value


class WebStackConfig(ClusterSettings):
    """A web application stack: load balancer, web servers, app servers, database and monitoring."""

    app_name: Annotated[
        str,
        NotEmpty(),
        Fixed("every server (each is named after it) and the database, with its data"),
        Matches(
            r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?",
            "1 to 40 lowercase letters, digits and dashes, starting with a letter and not ending with a dash",
        ),
    ]
    """The application's name: its servers are `<app_name>-<tier>-<i>`, its database and user too."""
    app_version: Annotated[
        str, Matches(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,62}", "1 to 63 letters, digits and . _ + -")
    ] = "latest"
    """The version the app servers run and report; a change is a rolling update."""
    web_tier: WebTierSettings = Field(default_factory=WebTierSettings)
    """The web servers and the load balancer."""
    app_tier: AppTierSettings = Field(default_factory=AppTierSettings)
    """The app servers."""
    database_tier: DatabaseTierSettings = Field(default_factory=DatabaseTierSettings)
    """The database servers."""
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    """Prometheus and its exporters."""
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    """The VPC and its subnets."""


def scaling_bounds(config: WebStackConfig) -> list[Violation]:
    """min_replicas ≤ max_replicas; with auto scaling on, the app tier's replicas are within them."""
    scaling = config.app_tier.auto_scaling
    if scaling.min_replicas > scaling.max_replicas:
        rule = (
            f"app_tier.auto_scaling min_replicas ({scaling.min_replicas}) must not exceed max_replicas "
            f"({scaling.max_replicas})"
        )
        return [Violation("app_tier.auto_scaling.min_replicas", scaling.min_replicas, rule)]
    replicas = config.app_tier.replicas
    if scaling.enabled and not scaling.min_replicas <= replicas <= scaling.max_replicas:
        rule = (
            f"app_tier replicas must be within auto_scaling min_replicas {scaling.min_replicas} and "
            f"max_replicas {scaling.max_replicas} while auto scaling is enabled"
        )
        return [Violation("app_tier.replicas", replicas, rule)]
    return []


def subnets_fit(config: WebStackConfig) -> list[Violation]:
    """Every subnet is inside vpc_cidr, and no two subnets overlap; a VPC too small for the subnets to follow
    it is named once when none is given."""
    vpc = ipaddress.IPv4Network(config.network.vpc_cidr)
    defaults = NetworkSettings()
    if subnets_of(str(vpc)) is None and all(
        getattr(config.network, kind) == getattr(defaults, kind) for kind in _SUBNET_BLOCKS
    ):
        rule = (
            f"network.vpc_cidr {vpc} is too small for the subnets to follow it (at most "
            f"/{_SMALLEST_SUBNET - 8}): give public_subnets, private_subnets and database_subnets"
        )
        return [Violation("network.vpc_cidr", str(vpc), rule)]
    found: list[Violation] = []
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for kind in _SUBNET_BLOCKS:
        for index, cidr in enumerate(getattr(config.network, kind)):
            field = f"network.{kind}.{index}"
            subnet = ipaddress.IPv4Network(cidr)
            if not subnet.subnet_of(vpc):
                found.append(Violation(field, cidr, f"{field} {cidr} must be inside vpc_cidr {vpc}"))
            for other, known in seen:
                if subnet.overlaps(known):
                    found.append(Violation(field, cidr, f"{field} {cidr} overlaps {other} {known}"))
            seen.append((field, subnet))
    return found


WEB_STACK = register(
    Declaration(
        "provisioning:clusters:WebStack",
        WebStackConfig,
        kind="cluster",
        rules=(scaling_bounds, subnets_fit),
    )
)
"""The web stack cluster."""
