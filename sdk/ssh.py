"""SSH to provider servers: `connection_args(server, private_key)` → `pulumi_command.remote.ConnectionArgs`.

The server must expose `ssh_host`, `ssh_port` and `ssh_host_key_fingerprints` outputs (the Custom Cloud
`Server` does; they are set with machine hosts). The host key is pinned: the server's key is read
once with `ssh-keyscan` (when the outputs are known, i.e. during `up`) and accepted only if its SHA256
fingerprint is one the API returned; pulumi-command then refuses any other key.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pulumi

__all__ = ["SshEndpointMissing", "connection_args", "verified_host_key"]


class SshEndpointMissing(ValueError):
    """The server has no SSH endpoint (e.g. the local Custom Cloud runs with record hosts)."""


def _fingerprint(key_line: str) -> str:
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", "-"], input=key_line,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return out.split()[1]


def verified_host_key(host: str, port: int, fingerprints: list[str], *, timeout: int = 10) -> str:
    """The server's public host key (`ssh-ed25519 AAAA…`) whose fingerprint is in `fingerprints`."""
    if shutil.which("ssh-keyscan") is None:
        raise RuntimeError("ssh-keyscan is missing: apt-get install openssh-client")
    scan = subprocess.run(["ssh-keyscan", "-T", str(timeout), "-p", str(port), host],
                          capture_output=True, text=True, check=False)  # fmt: skip
    keys = [
        " ".join(line.split()[1:3]) for line in scan.stdout.splitlines() if line and not line.startswith("#")
    ]
    if not keys:
        raise ConnectionError(
            f"could not read the host key of {host}:{port} (is the server running and its SSH port open?)"
        )
    for key in keys:
        if _fingerprint(key) in fingerprints:
            return key
    raise ValueError(
        f"no host key of {host}:{port} matches the fingerprints {fingerprints} (refusing to connect)"
    )


def _endpoint(name: str, host: str | None, port: int | None) -> tuple[str, int]:
    if not host or not port:
        raise SshEndpointMissing(
            f"server {name!r} has no SSH endpoint: run the local Custom Cloud with machine hosts "
            "(`provisioning cloud serve --hosts machine`, as root) or a cloud whose servers have one"
        )
    return host, int(port)


def connection_args(
    server: Any, private_key: pulumi.Input[str], *, user: str = "root", verify_host_key: bool = True,
    dial_error_limit: int = 20,
) -> Any:  # fmt: skip
    """Connection of `pulumi_command.remote.Command` to `server` as `user` (root), the key kept secret."""
    from pulumi_command import remote

    name = getattr(server, "_name", "server")
    endpoint = pulumi.Output.all(server.ssh_host, server.ssh_port).apply(
        lambda hp: _endpoint(name, hp[0], hp[1])
    )
    host_key = None
    if verify_host_key:
        host_key = pulumi.Output.all(endpoint, server.ssh_host_key_fingerprints).apply(
            lambda args: verified_host_key(args[0][0], args[0][1], list(args[1] or []))
        )
    return remote.ConnectionArgs(
        host=endpoint.apply(lambda hp: hp[0]),
        port=endpoint.apply(lambda hp: float(hp[1])),
        user=user,
        private_key=pulumi.Output.secret(private_key),
        host_key=host_key,
        dial_error_limit=dial_error_limit,
    )
