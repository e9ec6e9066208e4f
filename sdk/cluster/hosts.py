"""Service discovery by host names: each server of a cluster gets a managed block of `/etc/hosts` naming
the servers it talks to (`shop-app-0`, `shop-db-primary`, …), written by a `remote.Command` from the
servers' addresses (outputs). Task service configs then name other servers by host name: plain values,
known at preview. `hosts_block` and `hosts_script` import no Pulumi; `HostNames` is the command."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..taskservice.templates import TemplateLibrary

if TYPE_CHECKING:
    import pulumi

    from ..taskservice.target import Target

__all__ = ["hosts_block", "hosts_script", "host_names"]

_TEMPLATES = TemplateLibrary(Path(__file__).with_name("templates"))
_HOST_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def _markers(cluster: str) -> tuple[str, str]:
    return f"# BEGIN provisioning cluster {cluster}", f"# END provisioning cluster {cluster}"


def hosts_block(cluster: str, entries: Mapping[str, str]) -> str:
    """The managed block for `cluster`: one `address name` line per entry (sorted by name), between its
    BEGIN and END lines; `ValueError` for a bad name or address."""
    begin, end = _markers(cluster)
    lines = [begin]
    for name in sorted(entries):
        if _HOST_NAME.fullmatch(name) is None:
            raise ValueError(f"host name {name!r} must be lowercase letters, digits and dashes")
        address = str(ipaddress.ip_address(entries[name]))
        lines.append(f"{address} {name}")
    lines.append(end)
    return "\n".join(lines)


def hosts_script(cluster: str, entries: Mapping[str, str] | None) -> str:
    """The script that writes `cluster`'s block of `/etc/hosts` (None: removes it), keeping other lines."""
    begin, end = _markers(cluster)
    remove = entries is None
    return _TEMPLATES.step(
        "cluster/hosts.sh.j2",
        step="hosts-remove" if remove else "hosts",
        service=f"cluster {cluster}",
        begin=begin,
        end=end,
        block="" if remove else hosts_block(cluster, entries or {}),
        remove=remove,
        cluster=cluster,
    )


def host_names(
    resource_name: str,
    cluster: str,
    target: Target,
    entries: Mapping[str, pulumi.Input[str | None]],
    *,
    opts: pulumi.ResourceOptions | None = None,
) -> pulumi.Resource:
    """A `remote.Command` on `target` that writes `cluster`'s block of `/etc/hosts` with `entries`
    (host name → address, outputs welcome) and takes it out on delete. A change of the entries rewrites
    the block in place; nothing else reruns."""
    import pulumi
    from pulumi_command import remote

    from ..taskservice.templates import remote_command

    names = sorted(entries)
    addresses = pulumi.Output.all(*(entries[name] for name in names))
    sudo = target.user != "root"
    script = addresses.apply(
        lambda found: remote_command(
            "hosts", hosts_script(cluster, dict(zip(names, map(str, found), strict=True))), sudo=sudo
        )
    )
    return remote.Command(
        resource_name,
        connection=target.connection,
        create=script,
        update=script,
        delete=remote_command("hosts-remove", hosts_script(cluster, None), sudo=sudo),
        add_previous_output_in_env=False,
        opts=opts,
    )
