"""The Custom Cloud provider: config, API client, dynamic resources, lookups, cost and capabilities.

Names are loaded on first use, so `provisioning.providers.custom_cloud.api` (the API contract) can be
imported without loading Pulumi."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import names_on_first_use

if TYPE_CHECKING:
    from .capabilities import PROVIDER_NAME, PROVIDER_VERSION, get_provider_info, provider_capabilities
    from .client import CustomCloudClient
    from .config import CustomCloudConfig, load_config
    from .cost import calculate_server_cost
    from .lookups import (
        Addresses,
        AmbiguousLookup,
        LoadBalancerResult,
        LookupFailed,
        NetworkResult,
        NothingFound,
        ServerResult,
        SubnetResult,
        VolumeResult,
        get_load_balancer,
        get_load_balancer_output,
        get_load_balancers,
        get_load_balancers_output,
        get_network,
        get_network_output,
        get_networks,
        get_networks_output,
        get_server,
        get_server_output,
        get_servers,
        get_servers_output,
        get_subnet,
        get_subnet_output,
        get_subnets,
        get_subnets_output,
        get_volume,
        get_volume_output,
        get_volumes,
        get_volumes_output,
    )
    from .resources import (
        LoadBalancer,
        LoadBalancerArgs,
        Network,
        NetworkArgs,
        Server,
        ServerArgs,
        Subnet,
        SubnetArgs,
        Volume,
        VolumeArgs,
        VolumeAttachment,
        VolumeAttachmentArgs,
    )
    from .specs import CustomCloudServer

__all__ = [
    "Addresses",
    "AmbiguousLookup",
    "CustomCloudClient",
    "CustomCloudConfig",
    "CustomCloudServer",
    "LoadBalancer",
    "LoadBalancerArgs",
    "LoadBalancerResult",
    "LookupFailed",
    "Network",
    "NetworkArgs",
    "NetworkResult",
    "NothingFound",
    "PROVIDER_NAME",
    "PROVIDER_VERSION",
    "Server",
    "ServerArgs",
    "ServerResult",
    "Subnet",
    "SubnetArgs",
    "SubnetResult",
    "Volume",
    "VolumeArgs",
    "VolumeAttachment",
    "VolumeAttachmentArgs",
    "VolumeResult",
    "calculate_server_cost",
    "get_load_balancer",
    "get_load_balancer_output",
    "get_load_balancers",
    "get_load_balancers_output",
    "get_network",
    "get_network_output",
    "get_networks",
    "get_networks_output",
    "get_provider_info",
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
    "load_config",
    "provider_capabilities",
]

_MODULES = ("resources", "capabilities", "client", "config", "cost", "lookups", "specs")
"""Where the public names live, searched in this order on first use (the resources first: what every
program imports)."""

__getattr__ = names_on_first_use(__name__, __all__, _MODULES)
