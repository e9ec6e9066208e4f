"""`t:count` servers named fleet-0 … fleet-N-1 in one zone (optional `t:label` label, `t:diskSize`)."""

import pulumi

from provisioning.providers.custom_cloud import Server

config = pulumi.Config("t")
count = config.get_int("count") or 0
label = config.get("label")
disk_size = config.get_int("diskSize") or 20
servers = [
    Server(
        f"fleet-{n}",
        machine_type="micro",
        zone="us-west-1a",
        disk_size=disk_size,
        labels={"release": label} if label else {},
    )
    for n in range(count)
]
pulumi.export("ids", [s.id for s in servers])
