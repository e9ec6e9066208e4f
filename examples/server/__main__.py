"""A network, a subnet and two servers on Custom Cloud; exports their IPs and the estimated hourly cost.

Configure the API with `pulumi config set custom-cloud:apiUrl http://127.0.0.1:<port>/v1` and
`pulumi config set --secret custom-cloud:apiKey <key>` (or CUSTOM_CLOUD_API_URL / CUSTOM_CLOUD_API_KEY).
Adopt an existing server as `example-1` with `pulumi config set server-example:importId i-…` (the CLI's
`pulumi import` cannot import dynamic resources: pulumi#16175). `provisioning cost STACK` prints the cost
of each resource from the stack's state.
"""

import pulumi

from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk import stack_hourly_cost

config = pulumi.Config("server-example")
zone = config.get("zone") or "us-west-1a"
labels = config.get_object("labels") or {"app": "example"}
import_id = config.get("importId")

network = Network("example-net", cidr="10.10.0.0/16", labels={"app": "example"})
subnet = Subnet("example-subnet", network_id=network.id, cidr="10.10.1.0/24", zone=zone)

servers = [
    Server(
        f"example-{index}",
        machine_type=machine_type,
        zone=zone,
        disk_size=disk_size,
        vpc=network.id,
        subnet=subnet.id,
        labels=labels,
        opts=pulumi.ResourceOptions(import_=import_id) if import_id and index == 1 else None,
    )
    for index, (machine_type, disk_size) in enumerate([("small", 20), ("medium", 50)], start=1)
]

pulumi.export("network_id", network.id)
pulumi.export("server_ids", [server.id for server in servers])
pulumi.export("private_ips", [server.private_ip for server in servers])
pulumi.export("public_ips", [server.public_ip for server in servers])
pulumi.export("estimated_hourly_cost", stack_hourly_cost())  # every declared resource, known at preview
