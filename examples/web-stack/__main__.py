"""A WebStack: network and six subnets, a database with a streaming replica, app servers running the web
application, web servers and a load balancer running HAProxy, and Prometheus, on Custom Cloud servers
configured over SSH (host keys pinned). Its config is the stack config object `cluster` (every field of
`WebStackConfig`, docs/clusters.md); `provisioning cluster scale STACK app 3` changes
`cluster.app_tier.replicas` and updates the stack.

Configure:

    pulumi config set custom-cloud:apiUrl http://127.0.0.1:<port>/v1
    pulumi config set --secret custom-cloud:apiKey <key>          # or CUSTOM_CLOUD_API_KEY
    ssh-keygen -t ed25519 -N '' -f ./id_ed25519
    pulumi config set sshPublicKey "$(cat ./id_ed25519.pub)"
    pulumi config set --secret sshPrivateKey < ./id_ed25519
    pulumi config set --secret databasePassword <password>        # the app's database user
    pulumi config set --path cluster.app_name shop
    pulumi config set --path cluster.web_tier.replicas 2
    pulumi config set --path cluster.app_tier.replicas 2
    pulumi config set --path cluster.network.vpc_cidr 10.0.0.0/16
    pulumi up

Outputs: `endpoints` (`web`: the load balancer's URL; `monitoring`: Prometheus's), `components` (per tier:
each server's name, id, private address, role and task services), `status` (per tier and service),
`healthy`, `estimated_hourly_cost` (the stack's own formula) and `provider_hourly_cost` (the Custom Cloud's
prices), both known at preview.
"""

import pulumi

from provisioning.components.clusters.web_stack import WebStack

config = pulumi.Config()

stack = WebStack(
    "web-stack",
    config.require_object("cluster"),
    ssh_public_key=config.require("sshPublicKey"),
    ssh_private_key=config.require_secret("sshPrivateKey"),
    database_password=config.require_secret("databasePassword"),
)

pulumi.export("endpoints", stack.endpoints)
pulumi.export("components", stack.components)
pulumi.export("status", stack.status)
pulumi.export("healthy", stack.healthy)
pulumi.export("estimated_hourly_cost", stack.estimated_hourly_cost)
pulumi.export("provider_hourly_cost", stack.provider_hourly_cost)
