"""A server and a CustomDatabase on it, configured over SSH (the server needs an SSH endpoint: a machine
host of the local Custom Cloud, or a real Custom Cloud server).

Config: `custom-cloud:apiUrl`, `custom-cloud:apiKey` (secret), `sshPublicKey`, `sshPrivateKey` (secret),
`adminPassword` (secret), optional `settings` (CustomDatabase fields) and `zone`."""

import pulumi

from provisioning.components.taskservs.custom_database import CustomDatabase
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.taskservice import Target

config = pulumi.Config()
zone = config.get("zone") or "us-west-1a"
labels = {"app": pulumi.get_project()}

network = Network("db-net", cidr="10.41.0.0/16", labels=labels)
subnet = Subnet("db-subnet", network_id=network.id, cidr="10.41.1.0/24", zone=zone)
server = Server(
    "db-server",
    machine_type="small",
    zone=zone,
    vpc=network.id,
    subnet=subnet.id,
    ssh_public_key=config.require("sshPublicKey"),
    external_ip=False,
    labels=labels,
)
db = CustomDatabase(
    "db",
    config.get_object("settings") or {},
    target=Target.server(server, config.require_secret("sshPrivateKey")),
    passwords={"postgres": config.require_secret("adminPassword")},
)

pulumi.export("endpoint", db.endpoint)
pulumi.export("healthy", db.healthy)
pulumi.export("version", db.version)
