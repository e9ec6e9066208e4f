"""Two servers labelled `app: shop, tier: web` and one `tier: db`, found by the `lookup_consumer` stack."""

import pulumi

from provisioning.providers.custom_cloud import Server

web = [
    Server(f"web-{i}", machine_type="micro", zone="us-west-1a", labels={"app": "shop", "tier": "web"})
    for i in (1, 2)
]
db = Server("db", machine_type="micro", zone="us-west-1a", labels={"app": "shop", "tier": "db"})
pulumi.export("web_ids", [s.id for s in web])
