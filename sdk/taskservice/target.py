"""Where a task service runs: a Custom Cloud `Server` or a machine made elsewhere, reached over SSH as
root (or a user with passwordless sudo), the private key a Pulumi secret and the host key pinned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi_command import remote

from ..ssh import connection_args, verified_host_key_later

__all__ = ["Target"]


class Target:
    """An SSH connection for the steps, and the address clients use to reach the service."""

    def __init__(
        self, label: str, connection: remote.ConnectionArgs, address: pulumi.Input[str], user: str
    ) -> None:
        self.label = label
        """What the target is called in messages and step names."""
        self.connection = connection
        """pulumi-command's connection (key secret, host key pinned)."""
        self.address = pulumi.Output.from_input(address)
        """The address clients of the service connect to."""
        self.user = user
        """The SSH user; steps run through `sudo -n` unless it is root."""

    @classmethod
    def server(cls, server: Any, private_key: pulumi.Input[str], *, user: str = "root") -> Target:
        """A Custom Cloud `Server` with an SSH endpoint (`ssh_host`, `ssh_port`,
        `ssh_host_key_fingerprints`); clients reach the service on its private IP."""
        label = str(getattr(server, "_name", "server"))
        return cls(label, connection_args(server, private_key, user=user), server.private_ip, user)

    @classmethod
    def host(
        cls,
        host: pulumi.Input[str],
        *,
        private_key: pulumi.Input[str],
        host_key_fingerprints: pulumi.Input[Sequence[str]],
        port: pulumi.Input[int] = 22,
        user: str = "root",
        address: pulumi.Input[str] | None = None,
    ) -> Target:
        """A machine made elsewhere: its SSH `host` and `port`, the `SHA256:…` fingerprints its host key
        must match (the key is read once with ssh-keyscan and pinned), and the address clients use
        (default: `host`)."""
        endpoint = pulumi.Output.all(host, port, host_key_fingerprints)
        host_key: pulumi.Output[str] = endpoint.apply(
            lambda e: verified_host_key_later(str(e[0]), int(e[1]), list(e[2]))
        )
        connection = remote.ConnectionArgs(
            host=host,
            port=pulumi.Output.from_input(port).apply(float),
            user=user,
            private_key=pulumi.Output.secret(private_key),
            host_key=host_key,
            dial_error_limit=20,
        )
        return cls(str(host) if isinstance(host, str) else "host", connection, address or host, user)
