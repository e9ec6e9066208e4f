"""Pieces of the Pulumi programs (Python source, as text) the task service e2e tests write into their
projects, each written once: servers on one subnet, and `/etc/hosts` names set by a remote command."""

from __future__ import annotations

__all__ = ["hosts_function", "servers_on_one_subnet"]

_SERVERS = """\
config = pulumi.Config("@NAMESPACE@")
public_key = config.require("sshPublicKey")
private_key = config.require_secret("sshPrivateKey")

network = Network("net", cidr="@PREFIX@.0.0/16")
subnet = Subnet("subnet", network_id=network.id, cidr="@PREFIX@.0.0/24", zone="us-west-1a")


def server(name: str) -> Server:
    return Server(name, machine_type="small", zone="us-west-1a", vpc=network.id, subnet=subnet.id,
                  ssh_public_key=public_key, external_ip=False)
"""

_HOSTS = '''

def hosts(name: str, on: Server, names: dict[str, Server]) -> remote.Command:
    """`/etc/hosts` lines on `on` naming `names` by their private IPs."""
    ips = pulumi.Output.all(*(s.private_ip for s in names.values()))
    return remote.Command(
        name, connection=connection_args(on, @KEY@),
        create=ips.apply(lambda found: " && ".join(
            f"sed -i '/ {host}$/d' /etc/hosts && echo '{ip} {host}' >> /etc/hosts"
            for host, ip in zip(names, found)
        )),
    )
'''


def servers_on_one_subnet(namespace: str, prefix: str) -> str:
    """Source that reads the config `namespace` (`public_key`, `private_key` from its SSH key pair), makes a
    network `net` (`<prefix>.0.0/16`) with a subnet `subnet` (`<prefix>.0.0/24`) and defines `server(name)`:
    a small server on that subnet without a public address. Wants `pulumi`, `Network`, `Server`, `Subnet`."""
    return _SERVERS.replace("@NAMESPACE@", namespace).replace("@PREFIX@", prefix)


def hosts_function(key: str) -> str:
    """Source defining `hosts(name, on, names)`: a remote command on the server `on` (over SSH with the
    private key in the program's variable `key`) naming each of `names` by its private IP in /etc/hosts.
    Wants `pulumi`, `remote`, `connection_args` and `Server`."""
    return _HOSTS.replace("@KEY@", key)
