"""A network (range `t:netCidr`), a subnet and a server in zone `t:zone` (the server given only `subnet=`),
behind a load balancer that names no region: every resource takes the provider's `custom-cloud:region`."""

import pulumi

from provisioning.providers.custom_cloud import LoadBalancer, Network, Server, Subnet

config = pulumi.Config("t")
zone = config.require("zone")
network = Network("reg-net", cidr=config.get("netCidr") or "10.61.0.0/16")
subnet = Subnet("reg-sub", network_id=network.id, cidr="10.61.1.0/24", zone=zone)
server = Server("reg-web", machine_type="micro", zone=zone, subnet=subnet.id)
balancer = LoadBalancer(
    "reg-lb",
    listeners=[{"port": 80, "protocol": "http", "target_port": 8080}],
    target_instance_ids=[server.id],
)
pulumi.export("lb_region", balancer.region)
pulumi.export("vpc", server.vpc)
pulumi.export("network", network.id)
