"""Two servers in one subnet, configured over SSH: a small TCP service on one, its client on the other.

The everyday shape of "servers + a bit of remote configuration": `greeter` runs a TCP service (one line per
connection: `hello from greeter`) registered as an enabled service, so it comes back whenever the server
restarts; `client` writes its config file under `/etc` and connects to the greeter's *private* IP. Both
steps are `pulumi_command.remote.Command`s connected with `provisioning.sdk.ssh.connection_args`: user
root, the private key from secret config, the host key pinned to the fingerprints the cloud API returned.

The greeter is a systemd unit (`/etc/systemd/system/greeter.service`, enabled and restarted by
`systemctl`), as on any Debian 12 VM: the local Custom Cloud's machine hosts (docs/machine-hosts.md) boot
each server as one.

Configure:

    pulumi config set custom-cloud:apiUrl http://127.0.0.1:<port>/v1
    pulumi config set --secret custom-cloud:apiKey <key>          # or CUSTOM_CLOUD_API_KEY
    ssh-keygen -t ed25519 -N '' -f ./id_ed25519
    pulumi config set ssh-servers:sshPublicKey "$(cat ./id_ed25519.pub)"
    pulumi config set --secret ssh-servers:sshPrivateKey < ./id_ed25519
    pulumi up

Optional config: `ssh-servers:cidr` (VPC, default 10.20.0.0/16; the subnet is its first /24),
`ssh-servers:port` (greeter's TCP port, default 7000), `ssh-servers:zone` (default us-west-1a).
Outputs: both servers' ids and private IPs, `greeting` (what the client read from the greeter over the
private network) and `client_config` (the path of the file the client wrote under /etc).
"""

import ipaddress

import pulumi
from pulumi_command import remote

from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.ssh import connection_args

config = pulumi.Config("ssh-servers")
public_key = config.require("sshPublicKey")
private_key = config.require_secret("sshPrivateKey")
cidr = ipaddress.IPv4Network(config.get("cidr") or "10.20.0.0/16")
port = config.get_int("port") or 7000
zone = config.get("zone") or "us-west-1a"
labels = {"app": "ssh-servers"}

network = Network("app-net", cidr=str(cidr), labels=labels)
subnet = Subnet("app-subnet", network_id=network.id, cidr=str(next(cidr.subnets(new_prefix=24))), zone=zone)


def server(name: str) -> Server:
    return Server(name, machine_type="small", zone=zone, vpc=network.id, subnet=subnet.id,
                  ssh_public_key=public_key, labels=labels)  # fmt: skip


greeter = server("greeter")
client = server("client")

GREETER_PROGRAM = f"""#!/usr/bin/python3
# greeter: one line per TCP connection (installed by the ssh-servers example)
import socket, socketserver

class Greet(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(f"hello from {{socket.gethostname()}}\\n".encode())

socketserver.TCPServer.allow_reuse_address = True
with socketserver.ThreadingTCPServer(("0.0.0.0", {port}), Greet) as server:
    server.serve_forever()
"""

WAIT_LISTENING = (
    "for i in $(seq 100); do python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], "
    "int(sys.argv[2])), 1).close()' {host} {port} 2>/dev/null && break; sleep 0.1; done"
)

GREETER_UNIT = """[Unit]
Description=greeter: one line per TCP connection (the ssh-servers example)
After=network.target

[Service]
ExecStart=/usr/local/bin/greeter
Restart=on-failure

[Install]
WantedBy=multi-user.target
"""

# On greeter: install the service, enable it (it starts again at every boot) and (re)start it now.
greeter_service = remote.Command(
    "greeter-service",
    connection=connection_args(greeter, private_key),
    create=(
        "set -e\n"
        f"cat > /usr/local/bin/greeter <<'EOF'\n{GREETER_PROGRAM}EOF\n"
        "chmod 755 /usr/local/bin/greeter\n"
        f"cat > /etc/systemd/system/greeter.service <<'EOF'\n{GREETER_UNIT}EOF\n"
        "systemctl daemon-reload\n"
        "systemctl enable -q greeter\n"
        "systemctl restart greeter\n"
        + WAIT_LISTENING.format(host="127.0.0.1", port=port)
        + "\nsystemctl is-active -q greeter && echo greeter listening on port "
        + str(port)
    ),
    delete=(
        "systemctl disable -q --now greeter || true\n"
        "rm -f /etc/systemd/system/greeter.service /usr/local/bin/greeter\n"
        "systemctl daemon-reload"
    ),
)

# On client: write its config under /etc, then ask the greeter over the private network.
CLIENT_CONFIG = "/etc/greeter-client.conf"
greeting = remote.Command(
    "client-greets",
    connection=connection_args(client, private_key),
    create=greeter.private_ip.apply(
        lambda ip: (
            "set -e\n"
            f"printf 'greeter={ip}:{port}\\n' > {CLIENT_CONFIG}\n"
            "python3 - <<'EOF'\n"
            "import socket\n"
            f"with socket.create_connection(({ip!r}, {port}), timeout=10) as conn:\n"
            "    print(conn.makefile().readline().strip())\n"
            "EOF\n"
        )
    ),
    delete=f"rm -f {CLIENT_CONFIG}",
    opts=pulumi.ResourceOptions(depends_on=[greeter_service]),
)

pulumi.export("greeter_id", greeter.id)
pulumi.export("client_id", client.id)
pulumi.export("greeter_private_ip", greeter.private_ip)
pulumi.export("client_private_ip", client.private_ip)
pulumi.export("greeter_service", greeter_service.stdout)
pulumi.export("greeting", greeting.stdout)
pulumi.export("client_config", CLIENT_CONFIG)
