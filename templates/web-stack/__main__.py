"""A WebStack (docs/clusters.md): network and six subnets, a database with a streaming replica, app servers,
web servers and a load balancer running HAProxy, and Prometheus, configured over SSH.

Config: `custom-cloud:apiUrl`, `custom-cloud:apiKey` (secret), `sshPublicKey`, `sshPrivateKey` (secret),
`databasePassword` (secret), `appName` (default shop), optional `cluster` (an object of WebStackConfig
fields, e.g. `pulumi config set --path cluster.app_tier.replicas 3`)."""

import pulumi

from provisioning.components.clusters.web_stack import WebStack

config = pulumi.Config()
settings = {"app_name": config.get("appName") or "shop", **(config.get_object("cluster") or {})}

stack = WebStack(
    "web-stack",
    settings,
    ssh_public_key=config.require("sshPublicKey"),
    ssh_private_key=config.require_secret("sshPrivateKey"),
    database_password=config.require_secret("databasePassword"),
)

pulumi.export("endpoints", stack.endpoints)
pulumi.export("components", stack.components)
pulumi.export("healthy", stack.healthy)
pulumi.export("estimated_hourly_cost", stack.estimated_hourly_cost)
