"""One network `mix-net`, subnets `mix-sub-a`/`mix-sub-b` (zones a, b), `t:count` servers `mix-<n>`
alternating between the subnets, a volume `mix-data` and a load balancer `mix-lb` over every server.
Optional `t:label` labels every resource `release=<label>`."""

import pulumi

from provisioning.providers.custom_cloud import LoadBalancer, Network, Server, Subnet, Volume

config = pulumi.Config("t")
count = config.get_int("count") or 6
label = config.get("label")
labels = {"release": label} if label else {}

network = Network("mix-net", cidr="10.20.0.0/16", region="us-west-1", labels=labels)
subnets = [
    Subnet(f"mix-sub-{z}", network_id=network.id, cidr=cidr, zone=f"us-west-1{z}", labels=labels)
    for z, cidr in (("a", "10.20.1.0/24"), ("b", "10.20.2.0/24"))
]
servers = [
    Server(
        f"mix-{n}",
        machine_type="micro",
        zone=f"us-west-1{'ab'[n % 2]}",
        vpc=network.id,
        subnet=subnets[n % 2].id,
        labels=labels,
    )
    for n in range(count)
]
volume = Volume("mix-data", zone="us-west-1a", size=10, labels=labels)
balancer = LoadBalancer(
    "mix-lb",
    region="us-west-1",
    listeners=[{"port": 80, "protocol": "http", "target_port": 8080}],
    target_instance_ids=[s.id for s in servers],
    labels=labels,
)
pulumi.export("network", network.id)
pulumi.export("subnets", [s.id for s in subnets])
pulumi.export("servers", [s.id for s in servers])
pulumi.export("volume", volume.id)
pulumi.export("lb", balancer.id)
