"""The Custom Cloud provider: config, API client, dynamic resources, cost and capabilities.

Names are loaded on first use, so `provisioning.providers.custom_cloud.api` (the API contract) can be
imported without loading Pulumi."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .capabilities import PROVIDER_NAME, PROVIDER_VERSION, get_provider_info, provider_capabilities
    from .client import CustomCloudClient
    from .config import CustomCloudConfig, load_config
    from .cost import calculate_server_cost
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
    )
    from .specs import CustomCloudServer

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

_MODULES = ("capabilities", "client", "config", "cost", "resources", "specs")
"""Where the public names live, searched in this order on first use."""


def __getattr__(name: str) -> Any:
    if name in __all__:
        for module in _MODULES:
            value = getattr(import_module(f"{__name__}.{module}"), name, None)
            if value is not None:
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
