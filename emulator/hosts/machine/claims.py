"""Address ranges claimed by the local Custom Clouds running on this machine, so that two of them never
hand out the same public addresses or remove each other's guard routes.

A claim is a `flock` on `/run/provisioning/cloud-ranges/<range>.lock`, held for the cloud's lifetime and
released by the kernel when its process dies (a killed cloud leaves no stale claim). The public address pool
is claimed exclusively: a second cloud asking for the same pool, or one overlapping it, fails naming the
first one's process. The default VPC range's guard route is claimed shared: the last cloud to leave removes
it."""

from __future__ import annotations

import fcntl
import ipaddress
import os
from pathlib import Path

from ._run import HostUnavailable

__all__ = ["CLAIMS_DIR", "RangeClaim"]

CLAIMS_DIR = Path("/run/provisioning/cloud-ranges")
"""Where the lock files live (a tmpfs: gone at reboot, with every claim)."""


class RangeClaim:
    """This process's claim on an address range."""

    def __init__(self, cidr: str, *, exclusive: bool, what: str) -> None:
        CLAIMS_DIR.mkdir(parents=True, exist_ok=True)
        self.cidr = cidr
        kind = "pool" if exclusive else "guard"
        self.path = CLAIMS_DIR / f"{kind}-{cidr.replace('/', '_')}.lock"
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            held = _overlapping_pool_held(cidr, self.path) if exclusive else None
        except BlockingIOError:
            held = (cidr, self.path.read_text().strip())
        if held is not None:
            os.close(self._fd)
            self._fd = None
            raise HostUnavailable(
                f"the {what} {cidr} is in use by another local Custom Cloud with machine hosts (pool "
                f"{held[0]}, {held[1] or 'another process'}); stop it, or give this one another range "
                "(--public-pool 100.78.0.0/16)"
            )
        if exclusive:
            os.ftruncate(self._fd, 0)
            os.write(self._fd, f"pid {os.getpid()}".encode())

    def release(self) -> bool:
        """Give the claim up; True when no other cloud holds the range any more."""
        if self._fd is None:
            return False
        os.close(self._fd)
        self._fd = None
        probe = os.open(self.path, os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(probe)
        return True


def _overlapping_pool_held(cidr: str, ours: Path) -> tuple[str, str] | None:
    """Another pool claim that overlaps `cidr` and is held now: (its range, its holder)."""
    mine = ipaddress.IPv4Network(cidr)
    for path in CLAIMS_DIR.glob("pool-*.lock"):
        theirs = path.name.removeprefix("pool-").removesuffix(".lock").replace("_", "/")
        if path == ours or not mine.overlaps(ipaddress.IPv4Network(theirs)):
            continue
        probe = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return theirs, path.read_text().strip()
        finally:
            os.close(probe)
    return None
