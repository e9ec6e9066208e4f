"""The `sandbox` host backend: Custom Cloud instances as real machines made of Linux namespaces.

Each running instance is a network namespace on its VPC's bridge, a mount namespace with an overlayfs over
the host's root (its disk), a pid namespace whose PID 1 runs a real OpenSSH server and the enabled services.
See docs/sandbox-hosts.md for the contract and for what this does and does not isolate.
"""

from __future__ import annotations

import os
import sys

from ._run import SandboxConflict, SandboxError, SandboxUnavailable, require_tools
from .sandbox import SandboxHost

__all__ = [
    "SandboxConflict",
    "SandboxError",
    "SandboxHost",
    "SandboxUnavailable",
    "sandbox_unavailable_reason",
]


def sandbox_unavailable_reason() -> str | None:
    """Why sandbox hosts cannot run here (None: they can): Linux, root and the tools are needed."""
    if not sys.platform.startswith("linux"):
        return "sandbox hosts need Linux"
    if os.geteuid() != 0:
        return "sandbox hosts need root"
    try:
        require_tools()
    except SandboxUnavailable as exc:
        return str(exc)
    return None
