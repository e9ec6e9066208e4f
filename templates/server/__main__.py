"""A network, a subnet in one zone and `servers` servers in it, with their IPs and the estimated cost.

Config: `custom-cloud:apiUrl`, `custom-cloud:apiKey` (secret), `servers` (default 2), `zone` (default
us-west-1a), `machineType` (default small)."""

import pulumi

from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk import stack_hourly_cost

config = pulumi.Config()
zone = config.get("zone") or "us-west-1a"
count = config.get_int("servers") or 2
machine_type = config.get("machineType") or "small"
labels = {"app": pulumi.get_project()}

network = Network("net", cidr="10.40.0.0/16", labels=labels)
subnet = Subnet("subnet", network_id=network.id, cidr="10.40.1.0/24", zone=zone)
servers = [
    Server(
        f"server-{n}", machine_type=machine_type, zone=zone, vpc=network.id, subnet=subnet.id, labels=labels
    )
    for n in range(1, count + 1)
]

pulumi.export("network_id", network.id)
pulumi.export("private_ips", [server.private_ip for server in servers])
pulumi.export("estimated_hourly_cost", stack_hourly_cost())
