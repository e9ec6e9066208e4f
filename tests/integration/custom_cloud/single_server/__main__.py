"""One server, every input from config `t:*`, so tests can change one input at a time."""

import pulumi

from provisioning.providers.custom_cloud import Server

config = pulumi.Config("t")
import_id = config.get("importId")
machine_type = config.get("machineType")
server = Server(
    config.get("resourceName") or "web",
    machine_type="small" if machine_type is None else machine_type,
    zone=config.get("zone") or "us-west-1a",
    disk_size=config.get_int("diskSize") or 20,
    labels=config.get_object("labels") or {},
    subnet=config.get("subnet"),
    opts=pulumi.ResourceOptions(import_=import_id) if import_id else None,
)
pulumi.export("id", server.id)
pulumi.export("cost", server.estimated_hourly_cost)
pulumi.export("labels", server.labels)
pulumi.export("private_ip", server.private_ip)
