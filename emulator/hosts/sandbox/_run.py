"""Running the system tools (`ip`, `nsenter`, `ssh-keygen` …) and the sandbox error types."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Sequence

__all__ = ["SandboxConflict", "SandboxError", "SandboxUnavailable", "require_tools", "run"]


class SandboxError(RuntimeError):
    """A sandbox operation failed; names the command and its stderr when a command failed."""

    def __init__(self, message: str, *, command: Sequence[str] | None = None, stderr: str = "") -> None:
        self.command = list(command) if command else None
        self.stderr = stderr.strip()
        text = message
        if self.command:
            text += f" (command: {shlex.join(self.command)})"
        if self.stderr:
            text += f": {self.stderr}"
        super().__init__(text)


class SandboxUnavailable(SandboxError):
    """The sandbox backend cannot run here (not Linux, not root, a tool missing, an address range taken)."""


class SandboxConflict(SandboxError):
    """A request sandbox hosts cannot serve (e.g. a VPC CIDR overlapping another route of this machine)."""


TOOLS: dict[str, str] = {
    "ip": "apt-get install iproute2",
    "nsenter": "apt-get install util-linux",
    "unshare": "apt-get install util-linux",
    "ssh-keygen": "apt-get install openssh-client",
    "/usr/sbin/sshd": "scripts/system-packages.sh (openssh-server)",
    "start-stop-daemon": "apt-get install dpkg",
    "/usr/bin/python3": "apt-get install python3",
}
"""Every tool the sandbox backend runs, with an install hint."""


def require_tools() -> None:
    """Raise `SandboxUnavailable` naming every missing tool and how to install it."""
    missing = [f"{tool} ({hint})" for tool, hint in TOOLS.items() if shutil.which(tool) is None]
    if missing:
        raise SandboxUnavailable("sandbox hosts need: " + "; ".join(missing))


def run(args: Sequence[str], *, input: str | None = None, check: bool = True, timeout: float = 30.0) -> str:
    """Run `args`; return stdout. With `check`, a non-zero exit raises `SandboxError` with the stderr."""
    try:
        done = subprocess.run(
            list(args), input=input, capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        raise SandboxUnavailable(f"{args[0]} is not installed", command=args) from exc
    except subprocess.TimeoutExpired as exc:
        raise SandboxError(f"timed out after {timeout:g} s", command=args) from exc
    if check and done.returncode != 0:
        raise SandboxError(f"exit status {done.returncode}", command=args, stderr=done.stderr)
    return done.stdout
