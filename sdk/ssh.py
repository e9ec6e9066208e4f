"""SSH to provider servers: `connection_args(server, private_key)` → `pulumi_command.remote.ConnectionArgs`.

The server must expose `ssh_host`, `ssh_port` and `ssh_host_key_fingerprints` outputs (the Custom Cloud
`Server` does; they are set with machine hosts). The host key is pinned: the server's key is read
with `ssh-keyscan` (when the outputs are known) and accepted only if its SHA256 fingerprint is one the API
returned; pulumi-command then refuses any other key. A verified key is kept (`host_key_cache()`) and used
again while its fingerprint is still one the API returns.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pulumi

__all__ = [
    "SshEndpointMissing",
    "connection_args",
    "fingerprint_of",
    "host_key_cache",
    "verified_host_key",
    "verified_host_key_later",
]


class SshEndpointMissing(ValueError):
    """The server has no SSH endpoint (e.g. the local Custom Cloud runs with record hosts)."""


def fingerprint_of(key_line: str) -> str:
    """`SHA256:…` of a public key line (`ssh-ed25519 AAAA…`), as `ssh-keygen -l -E sha256` prints it."""
    blob = base64.b64decode(key_line.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def verified_host_key(host: str, port: int, fingerprints: list[str], *, timeout: int = 10) -> str:
    """The server's public host key (`ssh-ed25519 AAAA…`) whose fingerprint is in `fingerprints`.

    A key read before for the same address is used again when its fingerprint is still one of
    `fingerprints` (host keys are public; the fingerprints the API returned are what is trusted), so a
    program reads each server's key once, not at every preview and `up`."""
    for key in _remembered(host, port):
        if fingerprint_of(key) in fingerprints:
            return key
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
        if fingerprint_of(key) in fingerprints:
            _remember(host, port, key)
            return key
    raise ValueError(
        f"no host key of {host}:{port} matches the fingerprints {fingerprints} (refusing to connect)"
    )


def verified_host_key_later(host: str, port: int, fingerprints: list[str]) -> Awaitable[str]:
    """`verified_host_key` in a worker thread, for an `apply`: a scan waits on the network, and the
    program goes on registering resources (and scanning other servers) meanwhile."""
    return asyncio.to_thread(verified_host_key, host, port, fingerprints)


def host_key_cache() -> Path:
    """Where verified host keys are kept: `$XDG_CACHE_HOME/provisioning/host-keys` (`~/.cache/…`)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "provisioning" / "host-keys"


def _entry(host: str, port: int) -> Path:
    return host_key_cache() / hashlib.sha256(f"{host}:{port}".encode()).hexdigest()[:32]


def _remembered(host: str, port: int) -> list[str]:
    try:
        return _entry(host, port).read_text().splitlines()
    except OSError:
        return []


def _remember(host: str, port: int, key: str) -> None:
    """Best effort: a cache that cannot be written only means the next run reads the key again."""
    entry = _entry(host, port)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=entry.parent, delete=False) as staged:
            staged.write(key + "\n")
        os.replace(staged.name, entry)
    except OSError:
        pass


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
    host_key: pulumi.Output[str] | None = None
    if verify_host_key:
        host_key = pulumi.Output.all(endpoint, server.ssh_host_key_fingerprints).apply(
            lambda args: verified_host_key_later(args[0][0], args[0][1], list(args[1] or []))
        )
    return remote.ConnectionArgs(
        host=endpoint.apply(lambda hp: hp[0]),
        port=endpoint.apply(lambda hp: float(hp[1])),
        user=user,
        private_key=pulumi.Output.secret(private_key),
        host_key=host_key,
        dial_error_limit=dial_error_limit,
    )
