"""Host networking of machines: one bridge per VPC, one veth per running instance, guard routes.

Every address lives on a bridge or namespace made here. Packets arriving on a VPC bridge are never
forwarded by the host (`net.ipv4.conf.<bridge>.forwarding = 0`), and the VPC CIDRs and the public pool
carry an `unreachable` guard route (high metric) so that no packet for them ever takes the default route
off this machine, even while no bridge serves them.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from pathlib import Path

from ._run import HostConflict, HostError, run

__all__ = [
    "GUARD_METRIC",
    "ROUTE_PROTO",
    "bridge_name",
    "check_free",
    "detach",
    "ensure_bridge",
    "ensure_guard",
    "forget_neighbour",
    "gateway_of",
    "link_exists",
    "our_links",
    "remove_bridge_if_unused",
    "remove_guard",
    "veth_name",
]

ROUTE_PROTO = "177"
"""`proto` number tagging the routes this module adds (to find and remove them)."""
GUARD_METRIC = "4000"
"""Metric of the `unreachable` guard routes (a bridge's own connected route, metric 0, wins)."""


def _short(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def bridge_name(vpc_key: str) -> str:
    """The bridge of one VPC (`ccb` + 10 hex: within the 15-character limit)."""
    return "ccb" + _short(vpc_key)


def veth_name(instance_id: str) -> str:
    """The host end of an instance's veth pair."""
    return "ccv" + _short(instance_id)


def mac_of(key: str) -> str:
    """A stable, locally administered MAC for `key`: the same across restarts, so no neighbour cache
    (host or instances) ever holds a stale entry after a stop/start."""
    digest = hashlib.sha1(key.encode()).digest()
    return "02:cc:" + ":".join(f"{b:02x}" for b in digest[:4])


def gateway_of(cidr: str) -> str:
    """The host's address on a VPC's bridge: the first host address of the CIDR."""
    net = ipaddress.IPv4Network(cidr)
    return str(net.network_address + 1)


def link_exists(name: str) -> bool:
    """Whether a network interface `name` exists in the host namespace."""
    return Path("/sys/class/net", name).exists()


def _write_sysctl(path: str, value: str) -> None:
    try:
        Path(path).write_text(value)
    except OSError as exc:
        raise HostError(f"cannot set {path} = {value}: {exc}") from exc


def our_links(tag: str) -> dict[str, str]:
    """Interfaces carrying alias `tag` (made by this cloud): name → kind (`bridge` or `veth`)."""
    links = json.loads(run(["ip", "-j", "-d", "link", "show"]) or "[]")
    found: dict[str, str] = {}
    for link in links:
        if link.get("ifalias") == tag:
            found[link["ifname"]] = link.get("linkinfo", {}).get("info_kind", "")
    return found


def check_free(cidr: str, *, allowed_devices: set[str], what: str) -> None:
    """Raise `HostConflict` if `cidr` overlaps a route of this machine not made by us (default aside)."""
    net = ipaddress.IPv4Network(cidr)
    for route in json.loads(run(["ip", "-j", "route", "show", "table", "main"]) or "[]"):
        dst = route.get("dst", "")
        if dst == "default" or route.get("dev") in allowed_devices or route.get("protocol") == ROUTE_PROTO:
            continue
        try:
            other = ipaddress.IPv4Network(dst, strict=False)
        except ValueError:
            continue
        if net.overlaps(other):
            raise HostConflict(
                f"{what} {cidr} overlaps the route {dst} (dev {route.get('dev', '?')}) of this machine; "
                "machine hosts only use address ranges free here"
            )


def ensure_guard(cidr: str) -> None:
    """Add the `unreachable` guard route of `cidr` (idempotent)."""
    run(["ip", "route", "replace", "unreachable", cidr, "metric", GUARD_METRIC, "proto", ROUTE_PROTO])


def remove_guard(cidr: str) -> None:
    """Remove the guard route of `cidr` if present."""
    run(["ip", "route", "del", "unreachable", cidr, "metric", GUARD_METRIC], check=False)


def ensure_bridge(vpc_key: str, cidr: str, tag: str) -> str:
    """Create (once) the bridge of a VPC with the gateway address; return the bridge name."""
    name = bridge_name(vpc_key)
    if link_exists(name):
        return name
    check_free(cidr, allowed_devices=set(), what="VPC CIDR")
    prefix = ipaddress.IPv4Network(cidr).prefixlen
    try:
        run(["ip", "link", "add", "name", name, "address", mac_of("bridge:" + vpc_key), "type", "bridge",
             "stp_state", "0", "forward_delay", "0"])  # fmt: skip
        run(["ip", "link", "set", "dev", name, "alias", tag])
        _write_sysctl(f"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "1")
        _write_sysctl(f"/proc/sys/net/ipv4/conf/{name}/forwarding", "0")
        run(["ip", "addr", "add", f"{gateway_of(cidr)}/{prefix}", "dev", name])
        run(["ip", "link", "set", "dev", name, "up"])
    except HostError:
        run(["ip", "link", "del", name], check=False)
        raise
    return name


def remove_bridge_if_unused(name: str) -> bool:
    """Delete bridge `name` when no veth is attached any more; True if it was removed (or absent)."""
    ports = Path("/sys/class/net", name, "brif")
    if ports.exists() and any(ports.iterdir()):
        return False
    run(["ip", "link", "del", name], check=False)
    return True


def forget_neighbour(address: str, device: str) -> None:
    """Drop the host's neighbour (ARP) entry of `address` on `device`: a new instance given an address that
    an instance deleted before held has another MAC, which a stale entry would send its packets past for up
    to a minute."""
    run(["ip", "neigh", "flush", "to", address, "dev", device], check=False)


def detach(veth: str, public_ip: str | None) -> None:
    """Remove an instance's host route and veth pair (both ends) if present."""
    if public_ip:
        run(["ip", "route", "del", f"{public_ip}/32", "proto", ROUTE_PROTO], check=False)
    if link_exists(veth):
        run(["ip", "link", "del", veth], check=False)
