"""The Custom Cloud provider: config, API client, dynamic resources, lookups, cost and capabilities.

Names are loaded on first use, so `provisioning.providers.custom_cloud.api` (the API contract) can be
imported without loading Pulumi."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

if TYPE_CHECKING:  # the public names, one a line: type checkers read them, `__getattr__` imports them
    from .capabilities import (
        PROVIDER_NAME as PROVIDER_NAME,
        PROVIDER_VERSION as PROVIDER_VERSION,
        get_provider_info as get_provider_info,
        provider_capabilities as provider_capabilities,
    )
    from .client import CustomCloudClient as CustomCloudClient
    from .config import CustomCloudConfig as CustomCloudConfig, load_config as load_config
    from .cost import calculate_server_cost as calculate_server_cost
    from .lookups import (
        Addresses as Addresses,
        AmbiguousLookup as AmbiguousLookup,
        LoadBalancerResult as LoadBalancerResult,
        LookupFailed as LookupFailed,
        NetworkResult as NetworkResult,
        NothingFound as NothingFound,
        ServerResult as ServerResult,
        SubnetResult as SubnetResult,
        VolumeResult as VolumeResult,
        get_load_balancer as get_load_balancer,
        get_load_balancer_output as get_load_balancer_output,
        get_load_balancers as get_load_balancers,
        get_load_balancers_output as get_load_balancers_output,
        get_network as get_network,
        get_network_output as get_network_output,
        get_networks as get_networks,
        get_networks_output as get_networks_output,
        get_server as get_server,
        get_server_output as get_server_output,
        get_servers as get_servers,
        get_servers_output as get_servers_output,
        get_subnet as get_subnet,
        get_subnet_output as get_subnet_output,
        get_subnets as get_subnets,
        get_subnets_output as get_subnets_output,
        get_volume as get_volume,
        get_volume_output as get_volume_output,
        get_volumes as get_volumes,
        get_volumes_output as get_volumes_output,
    )
    from .resources import (
        LoadBalancer as LoadBalancer,
        LoadBalancerArgs as LoadBalancerArgs,
        Network as Network,
        NetworkArgs as NetworkArgs,
        Server as Server,
        ServerArgs as ServerArgs,
        Subnet as Subnet,
        SubnetArgs as SubnetArgs,
        Volume as Volume,
        VolumeArgs as VolumeArgs,
        VolumeAttachment as VolumeAttachment,
        VolumeAttachmentArgs as VolumeAttachmentArgs,
    )
    from .specs import CustomCloudServer as CustomCloudServer

__all__, __getattr__ = exports_on_first_use(__name__)
