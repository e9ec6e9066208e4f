"""The Custom Cloud provider: config, API client, dynamic resources, lookups, cost and capabilities.

Names are loaded on first use, so `provisioning.providers.custom_cloud.api` (the API contract) can be
imported without loading Pulumi."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

if TYPE_CHECKING:  # the public names, one a line: type checkers read them, `__getattr__` imports them
    from .capabilities import PROVIDER_NAME as PROVIDER_NAME
    from .capabilities import PROVIDER_VERSION as PROVIDER_VERSION
    from .capabilities import get_provider_info as get_provider_info
    from .capabilities import provider_capabilities as provider_capabilities
    from .client import CustomCloudClient as CustomCloudClient
    from .config import CustomCloudConfig as CustomCloudConfig
    from .config import load_config as load_config
    from .cost import calculate_server_cost as calculate_server_cost
    from .lookups import Addresses as Addresses
    from .lookups import AmbiguousLookup as AmbiguousLookup
    from .lookups import LoadBalancerResult as LoadBalancerResult
    from .lookups import LookupFailed as LookupFailed
    from .lookups import NetworkResult as NetworkResult
    from .lookups import NothingFound as NothingFound
    from .lookups import ServerResult as ServerResult
    from .lookups import SubnetResult as SubnetResult
    from .lookups import VolumeResult as VolumeResult
    from .lookups import get_load_balancer as get_load_balancer
    from .lookups import get_load_balancer_output as get_load_balancer_output
    from .lookups import get_load_balancers as get_load_balancers
    from .lookups import get_load_balancers_output as get_load_balancers_output
    from .lookups import get_network as get_network
    from .lookups import get_network_output as get_network_output
    from .lookups import get_networks as get_networks
    from .lookups import get_networks_output as get_networks_output
    from .lookups import get_server as get_server
    from .lookups import get_server_output as get_server_output
    from .lookups import get_servers as get_servers
    from .lookups import get_servers_output as get_servers_output
    from .lookups import get_subnet as get_subnet
    from .lookups import get_subnet_output as get_subnet_output
    from .lookups import get_subnets as get_subnets
    from .lookups import get_subnets_output as get_subnets_output
    from .lookups import get_volume as get_volume
    from .lookups import get_volume_output as get_volume_output
    from .lookups import get_volumes as get_volumes
    from .lookups import get_volumes_output as get_volumes_output
    from .resources import LoadBalancer as LoadBalancer
    from .resources import LoadBalancerArgs as LoadBalancerArgs
    from .resources import Network as Network
    from .resources import NetworkArgs as NetworkArgs
    from .resources import Server as Server
    from .resources import ServerArgs as ServerArgs
    from .resources import Subnet as Subnet
    from .resources import SubnetArgs as SubnetArgs
    from .resources import Volume as Volume
    from .resources import VolumeArgs as VolumeArgs
    from .resources import VolumeAttachment as VolumeAttachment
    from .resources import VolumeAttachmentArgs as VolumeAttachmentArgs
    from .specs import CustomCloudServer as CustomCloudServer

__all__, __getattr__ = exports_on_first_use(__name__)
