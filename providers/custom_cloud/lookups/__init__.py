"""Lookups of existing Custom Cloud resources, in the shape of Pulumi's `get_*` data sources.

For each collection there is a pair, generated from one table (`LOOKUPS`): `get_server(id=… | name=…,
zone=…)` finds exactly one, `get_servers(labels=…, status=…, zone=…)` every match; each has an `_output`
form that takes `pulumi.Input`s and returns a `pulumi.Output`. They read the provider configuration as the
resources do (stack config `custom-cloud:*` first, then the environment), page through the API, and return
typed results whose `labels` never hold the ownership label.

>>> web = get_server(name="web", zone="us-west-1a")  # doctest: +SKIP
>>> ips = get_servers_output(labels={"tier": "web"}).apply(lambda s: [x.addresses.private_ip for x in s])
... # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ..api.collections import INSTANCES, LOAD_BALANCERS, NETWORKS, SUBNETS, VOLUMES
from .engine import GONE, Lookup
from .errors import AmbiguousLookup, LookupFailed, NothingFound
from .results import Addresses, LoadBalancerResult, NetworkResult, ServerResult, SubnetResult, VolumeResult

# -- the table ----------------------------------------------------------------------------------------------

SERVERS: Lookup[ServerResult] = Lookup(INSTANCES, "server", ServerResult, ("zone",))
"""Servers: names are unique per zone."""
NETWORKS_LOOKUP: Lookup[NetworkResult] = Lookup(NETWORKS, "network", NetworkResult, ())
"""Networks: names are unique per project."""
SUBNETS_LOOKUP: Lookup[SubnetResult] = Lookup(SUBNETS, "subnet", SubnetResult, ("network_id",))
"""Subnets: names are unique per network."""
LOAD_BALANCERS_LOOKUP: Lookup[LoadBalancerResult] = Lookup(
    LOAD_BALANCERS, "load balancer", LoadBalancerResult, ("region",)
)
"""Load balancers: names are unique per region."""
VOLUMES_LOOKUP: Lookup[VolumeResult] = Lookup(VOLUMES, "volume", VolumeResult, ("zone",))
"""Volumes: names are unique per zone."""

LOOKUPS: dict[str, Lookup[Any]] = {
    "server": SERVERS,
    "network": NETWORKS_LOOKUP,
    "subnet": SUBNETS_LOOKUP,
    "load_balancer": LOAD_BALANCERS_LOOKUP,
    "volume": VOLUMES_LOOKUP,
}
"""Every lookup by the singular of its function name (`get_<key>`, `get_<key>s`)."""

get_server = SERVERS.one
get_servers = SERVERS.all
get_server_output = SERVERS.one_output
get_servers_output = SERVERS.all_output
get_network = NETWORKS_LOOKUP.one
get_networks = NETWORKS_LOOKUP.all
get_network_output = NETWORKS_LOOKUP.one_output
get_networks_output = NETWORKS_LOOKUP.all_output
get_subnet = SUBNETS_LOOKUP.one
get_subnets = SUBNETS_LOOKUP.all
get_subnet_output = SUBNETS_LOOKUP.one_output
get_subnets_output = SUBNETS_LOOKUP.all_output
get_load_balancer = LOAD_BALANCERS_LOOKUP.one
get_load_balancers = LOAD_BALANCERS_LOOKUP.all
get_load_balancer_output = LOAD_BALANCERS_LOOKUP.one_output
get_load_balancers_output = LOAD_BALANCERS_LOOKUP.all_output
get_volume = VOLUMES_LOOKUP.one
get_volumes = VOLUMES_LOOKUP.all
get_volume_output = VOLUMES_LOOKUP.one_output
get_volumes_output = VOLUMES_LOOKUP.all_output

__all__ = [
    "GONE",
    "LOOKUPS",
    "Addresses",
    "AmbiguousLookup",
    "LoadBalancerResult",
    "Lookup",
    "LookupFailed",
    "NetworkResult",
    "NothingFound",
    "ServerResult",
    "SubnetResult",
    "VolumeResult",
    *sorted(name for name in dict(globals()) if name.startswith("get_")),
]
