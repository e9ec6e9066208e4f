"""Run a shell script as root on a server over SSH, from the Pulumi program itself (a resource hook cannot
use pulumi-command): the `ssh` binary, the host key pinned (only a key whose SHA256 fingerprint the API
returned is accepted), the private key in a file of a private temporary folder for the call alone, the
script on stdin. Never prints the key."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from provisioning.sdk.ssh import verified_host_key

__all__ = ["RemoteScriptFailed", "SshEndpoint", "run_script"]

SSH_FAILED = 255
"""The exit status of `ssh` itself failing (no connection, refused key)."""
RETRY_PAUSE = 2.0
"""Seconds between tries while a server does not answer SSH."""


@dataclass(frozen=True)
class SshEndpoint:
    """Where a server answers SSH, and the fingerprints its host key must match."""

    name: str
    """The server's name (in messages)."""
    host: str
    """SSH host."""
    port: int
    """SSH port."""
    fingerprints: tuple[str, ...] = field(repr=False)
    """`SHA256:…` fingerprints of its host keys, as the API returned them."""


class RemoteScriptFailed(RuntimeError):
    """A script run over SSH exited non-zero (or SSH failed): the server, the exit status, the output."""

    def __init__(self, endpoint: SshEndpoint, what: str, returncode: int, output: str) -> None:
        self.endpoint, self.returncode, self.output = endpoint, returncode, output
        super().__init__(
            f"{what} on {endpoint.name} ({endpoint.host}:{endpoint.port}) exited {returncode}: "
            f"{output.strip()[-800:] or '(no output)'}"
        )


def run_script(
    endpoint: SshEndpoint,
    private_key: str,
    script: str,
    *,
    what: str,
    timeout: float = 600,
    reachable_within: float = 60,
) -> str:
    """Run `script` with bash as root on `endpoint`; its output (stdout and stderr). SSH is tried again
    while the server does not answer, for `reachable_within` seconds (the scripts run here are safe to run
    twice). `what` names the script in the error raised when it fails."""
    if shutil.which("ssh") is None:
        raise RuntimeError("ssh is missing: apt-get install openssh-client")
    deadline = time.monotonic() + reachable_within
    while True:
        try:
            done = _run_once(endpoint, private_key, script, timeout)
        except ConnectionError as exc:  # its host key could not be read: SSH does not answer
            if time.monotonic() < deadline:
                time.sleep(RETRY_PAUSE)
                continue
            raise RemoteScriptFailed(endpoint, what, SSH_FAILED, str(exc)) from exc
        except subprocess.TimeoutExpired as exc:
            raise RemoteScriptFailed(endpoint, what, -1, f"no end within {timeout:.0f} s") from exc
        if done.returncode == SSH_FAILED and time.monotonic() < deadline:
            time.sleep(RETRY_PAUSE)
            continue
        output = done.stdout + done.stderr
        if done.returncode != 0:
            raise RemoteScriptFailed(endpoint, what, done.returncode, output)
        return output


def _run_once(
    endpoint: SshEndpoint, private_key: str, script: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    host_key = verified_host_key(endpoint.host, endpoint.port, list(endpoint.fingerprints))
    with tempfile.TemporaryDirectory(prefix="web-stack-ssh-") as folder:
        key, known = Path(folder) / "key", Path(folder) / "known_hosts"
        key.touch(mode=0o600)
        key.write_text(private_key.strip() + "\n")
        name = endpoint.host if endpoint.port == 22 else f"[{endpoint.host}]:{endpoint.port}"
        known.write_text(f"{name} {host_key}\n")
        command: Sequence[str] = [
            "ssh", "-F", "/dev/null", "-i", str(key), "-p", str(endpoint.port),
            "-o", f"UserKnownHostsFile={known}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", f"root@{endpoint.host}", "bash -s",
        ]  # fmt: skip
        return subprocess.run(
            command, input=script, capture_output=True, text=True, timeout=timeout, check=False
        )
