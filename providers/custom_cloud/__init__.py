"""The Custom Cloud provider: config, API client, dynamic resources, cost and capabilities."""

from .capabilities import PROVIDER_NAME, PROVIDER_VERSION, get_provider_info, provider_capabilities
from .client import CustomCloudClient
from .config import CustomCloudConfig, load_config
from .cost import calculate_server_cost
from .load_balancer import LoadBalancer, LoadBalancerArgs, Volume, VolumeArgs
from .network import Network, NetworkArgs, Subnet, SubnetArgs
from .schemas import CustomCloudServer
from .server import Server, ServerArgs

__all__ = [
    "PROVIDER_NAME",
    "PROVIDER_VERSION",
    "CustomCloudClient",
    "CustomCloudConfig",
    "CustomCloudServer",
    "LoadBalancer",
    "LoadBalancerArgs",
    "Network",
    "NetworkArgs",
    "Server",
    "ServerArgs",
    "Subnet",
    "SubnetArgs",
    "Volume",
    "VolumeArgs",
    "calculate_server_cost",
    "get_provider_info",
    "load_config",
    "provider_capabilities",
]
