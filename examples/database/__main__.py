"""A server and a CustomDatabase on it: PostgreSQL from the OS packages, run as the service `customdb`, with
TLS, scheduled backups and a metrics exporter, configured over SSH by pulumi-command (host key pinned).

Configure:

    pulumi config set custom-cloud:apiUrl http://127.0.0.1:<port>/v1
    pulumi config set --secret custom-cloud:apiKey <key>          # or CUSTOM_CLOUD_API_KEY
    ssh-keygen -t ed25519 -N '' -f ./id_ed25519
    pulumi config set database:sshPublicKey "$(cat ./id_ed25519.pub)"
    pulumi config set --secret database:sshPrivateKey < ./id_ed25519
    pulumi config set --secret database:adminPassword <password>  # the postgres role's password
    pulumi up

Optional config: `database:settings` (an object of CustomDatabase fields, e.g.
`pulumi config set --path database:settings.max_connections 200`; with `replication.enabled` the program
makes `replication.replicas` standby servers), `database:cidr` (VPC, default 10.30.0.0/16; the subnet is its
first /24), `database:zone` (default us-west-1a).
Outputs: `endpoint` (address:port, on the server's private IP), `health` (the health records), `healthy`,
`version`, `status`, `planned_changes` (at preview: which of install, configure, update this `up` runs),
`service_metadata`, the servers' ids and private IPs.
"""

import ipaddress

import pulumi

from provisioning.components.taskservs.custom_database import CustomDatabase
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.taskservice import Target

config = pulumi.Config("database")
public_key = config.require("sshPublicKey")
private_key = config.require_secret("sshPrivateKey")
admin_password = config.require_secret("adminPassword")
settings = config.get_object("settings") or {}
cidr = ipaddress.IPv4Network(config.get("cidr") or "10.30.0.0/16")
zone = config.get("zone") or "us-west-1a"
labels = {"app": "database"}

network = Network("db-net", cidr=str(cidr), labels=labels)
subnet = Subnet("db-subnet", network_id=network.id, cidr=str(next(cidr.subnets(new_prefix=24))), zone=zone)


keep_storage = config.get_bool("keepStorage") or False  # with keep_data: the data outlives the server


def server(name: str) -> Server:
    return Server(name, machine_type="small", zone=zone, vpc=network.id, subnet=subnet.id,
                  ssh_public_key=public_key, external_ip=False, labels=labels,
                  keep_storage=keep_storage)  # fmt: skip


primary = server("db-primary")
replication = settings.get("replication") or {}
standbys = (
    [server(f"db-replica-{i}") for i in range(int(replication.get("replicas", 1)))]
    if replication.get("enabled")
    else []
)

db = CustomDatabase(
    "db",
    settings,
    target=Target.server(primary, private_key),
    passwords={"postgres": admin_password},
    replicas=[Target.server(standby, private_key) for standby in standbys],
)

pulumi.export("endpoint", db.endpoint)
pulumi.export("health", db.checks)
pulumi.export("healthy", db.healthy)
pulumi.export("version", db.version)
pulumi.export("status", db.status)
pulumi.export("planned_changes", db.planned_changes)
pulumi.export("service_metadata", db.service_metadata)
pulumi.export("primary_id", primary.id)
pulumi.export("primary_private_ip", primary.private_ip)
pulumi.export("replica_ids", [standby.id for standby in standbys])
pulumi.export("replica_private_ips", [standby.private_ip for standby in standbys])
