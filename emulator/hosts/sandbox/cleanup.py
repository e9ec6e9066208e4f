"""Leftovers: what an emulator that died without `close()` (or a failed boot) left behind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import network

if TYPE_CHECKING:
    from .sandbox import SandboxHost

__all__ = ["reconcile", "remove_leftovers"]


def remove_leftovers(host: SandboxHost) -> list[str]:
    """Delete this root's veths and bridges that no running sandbox uses; return their names."""
    live = host.running()
    keep_veths = {network.veth_name(iid) for iid in live}
    removed: list[str] = []
    links = network.our_links(host.tag)
    for name, kind in links.items():
        if kind == "veth" and name not in keep_veths:
            network.detach(name, None)
            removed.append(name)
    for name, kind in links.items():
        if kind == "bridge" and network.remove_bridge_if_unused(name):
            removed.append(name)
    return removed


def reconcile(host: SandboxHost, statuses: dict[str, str]) -> None:
    """Make the sandboxes match the instances (`id → status`): boot the running ones that are down,
    stop the stopped ones, delete the sandboxes (and disks) of instances that no longer exist."""
    from .sandbox import RUNNING

    for folder in sorted((host.root / "instances").iterdir()):
        iid = folder.name
        status = statuses.get(iid)
        if status is None or status in ("deleting", "deleted"):
            host.delete(iid)
        elif status in RUNNING:
            if host._pid(iid) is None or not network.link_exists(network.veth_name(iid)):
                host._halt(iid)
                host.start(iid)
        else:
            host._halt(iid)
    remove_leftovers(host)
