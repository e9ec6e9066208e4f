"""`t:count` servers named fleet-0 … fleet-N-1 in one zone."""

import pulumi
from provisioning.providers.custom_cloud import Server

count = pulumi.Config("t").get_int("count") or 0
servers = [Server(f"fleet-{n}", machine_type="micro", zone="us-west-1a") for n in range(count)]
pulumi.export("ids", [s.id for s in servers])
