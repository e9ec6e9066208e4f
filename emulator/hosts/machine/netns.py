"""A machine's network: a named network namespace made before it boots, with `eth0` on its VPC's bridge.

The bridges, veth names, stable MACs, guard routes and the "nothing forwarded" rule are `.network`'s;
systemd-nspawn joins the namespace by path (`--network-namespace-path`). A machine has **no default route**:
only its VPC (on link), its public /32 and a host route to the package cache through its gateway. A connection
to any other address fails inside the machine with "Network is unreachable", before a packet leaves it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import network
from ._run import HostError, run

__all__ = ["NETNS_DIR", "Wiring", "netns_name", "plug", "unplug"]

NETNS_DIR = Path("/run/netns")


def netns_name(instance_id: str) -> str:
    """The named network namespace of an instance (`ccm` + 10 hex)."""
    return "ccm" + hashlib.sha1(instance_id.encode()).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class Wiring:
    """How one machine is wired to its VPC and the package cache."""

    netns: str
    """Named network namespace (`/run/netns/<netns>`)."""
    veth: str
    """Host end of the veth pair (inside it is `eth0`)."""
    bridge: str
    """The VPC's bridge."""
    private_ip: str
    """Instance address in the VPC."""
    prefixlen: int
    """Prefix length of the VPC CIDR."""
    gateway: str
    """The bridge's address (the host)."""
    public_ip: str | None
    """Public address (a /32 on eth0, host route via the bridge), or None."""
    cache_ip: str
    """The package cache's address (host route via the gateway)."""

    @property
    def path(self) -> Path:
        """The namespace's path for `--network-namespace-path`."""
        return NETNS_DIR / self.netns


def plug(w: Wiring, tag: str) -> None:
    """Create the namespace and veth pair, plug it into the bridge, configure both ends."""
    unplug(w.netns, w.veth, w.public_ip)  # leftovers of a killed cloud
    run(["ip", "netns", "add", w.netns])
    try:
        run(["ip", "link", "add", w.veth, "type", "veth",
             "peer", "name", "eth0", "address", network.mac_of(w.veth), "netns", w.netns])  # fmt: skip
        run(["ip", "link", "set", "dev", w.veth, "alias", tag])
        Path(f"/proc/sys/net/ipv6/conf/{w.veth}/disable_ipv6").write_text("1")
        run(["ip", "link", "set", "dev", w.veth, "master", w.bridge, "up"])
        inside = [
            "link set lo up",
            f"addr add {w.private_ip}/{w.prefixlen} dev eth0",
            "link set eth0 up",
            f"route add {w.cache_ip}/32 via {w.gateway} dev eth0",
        ]
        if w.public_ip:
            inside.insert(2, f"addr add {w.public_ip}/32 dev eth0")
        run(["ip", "-n", w.netns, "-batch", "-"], input="\n".join(inside) + "\n")
        run(["ip", "netns", "exec", w.netns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
             "net.ipv6.conf.default.disable_ipv6=1"], check=False)  # fmt: skip
        if w.public_ip:
            run(
                ["ip", "route", "replace", f"{w.public_ip}/32", "dev", w.bridge, "proto", network.ROUTE_PROTO]
            )
        # an address given up by an instance deleted before (a load balancer turned off and on again gets
        # the public address back) must not reach its old MAC: the host forgets the old neighbour entries
        for address in (w.private_ip, w.public_ip):
            if address:
                network.forget_neighbour(address, w.bridge)
    except (HostError, OSError) as exc:
        unplug(w.netns, w.veth, w.public_ip)
        if isinstance(exc, OSError):
            raise HostError(f"cannot wire {w.netns}: {exc}") from exc
        raise


def unplug(netns: str, veth: str, public_ip: str | None) -> None:
    """Remove the host route, the veth pair and the namespace, if present."""
    network.detach(veth, public_ip)
    if (NETNS_DIR / netns).exists():
        run(["ip", "netns", "del", netns], check=False)
