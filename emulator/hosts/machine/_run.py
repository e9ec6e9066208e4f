"""Running the system tools (`ip`, `systemd-nspawn`, `ssh-keygen` …), the host error types and how they
reach the API."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ...errors import ApiError, Conflict

__all__ = ["HostConflict", "HostError", "HostUnavailable", "api_errors", "run"]


class HostError(RuntimeError):
    """A host operation failed; names the command and its stderr when a command failed."""

    def __init__(self, message: str, *, command: Sequence[str] | None = None, stderr: str = "") -> None:
        self.command = list(command) if command else None
        self.stderr = stderr.strip()
        text = message
        if self.command:
            text += f" (command: {shlex.join(self.command)})"
        if self.stderr:
            text += f": {self.stderr}"
        super().__init__(text)


class HostUnavailable(HostError):
    """Machine hosts cannot run here (not Linux, not root, a tool or the image missing, an address range
    taken)."""


class HostConflict(HostError):
    """A request machine hosts cannot serve (e.g. a VPC CIDR overlapping another route of this machine)."""


def run(args: Sequence[str], *, input: str | None = None, check: bool = True, timeout: float = 30.0) -> str:
    """Run `args`; return stdout. With `check`, a non-zero exit raises `HostError` with the stderr."""
    try:
        done = subprocess.run(
            list(args), input=input, capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        raise HostUnavailable(f"{args[0]} is not installed", command=args) from exc
    except subprocess.TimeoutExpired as exc:
        raise HostError(f"timed out after {timeout:g} s", command=args) from exc
    if check and done.returncode != 0:
        raise HostError(f"exit status {done.returncode}", command=args, stderr=done.stderr)
    return done.stdout


@contextmanager
def api_errors() -> Iterator[None]:
    """Report host failures as API errors: a conflict → 409 `conflict`, anything else → 500 `internal`."""
    try:
        yield
    except HostConflict as exc:
        raise Conflict(str(exc), details={"field": "vpc"}) from exc
    except HostError as exc:
        raise ApiError(f"machine host failed: {exc}") from exc
