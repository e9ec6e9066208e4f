"""Each machine's own cgroup, made before it starts and removed after it stops.

systemd inside a container must own a cgroup subtree in every hierarchy it uses; with several machines
starting at once, sharing the launcher's cgroup leaves units unable to attach to theirs (the machine comes up
`degraded`). So each machine's launcher writes itself into `provisioning-machines/<cloud>/<instance>` of the
`name=systemd`, unified and memory hierarchies (those present) before `systemd-nspawn --keep-unit` runs, and
the whole subtree is removed (deepest first) once every process in it is gone.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

__all__ = ["CGROUP_ROOT", "MachineCgroup", "hierarchies"]

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT = "provisioning-machines"


def hierarchies() -> list[Path]:
    """Mount points of the hierarchies a machine gets its own cgroup in (hybrid or unified hosts)."""
    if (CGROUP_ROOT / "cgroup.controllers").exists():  # cgroup v2 only
        return [CGROUP_ROOT]
    return [CGROUP_ROOT / name for name in ("systemd", "unified", "memory") if (CGROUP_ROOT / name).is_dir()]


class MachineCgroup:
    """The cgroup (one per hierarchy) of one machine of one cloud."""

    def __init__(self, cloud: str, instance_id: str) -> None:
        self.relative = Path(PARENT) / cloud / instance_id
        self.paths = [h / self.relative for h in hierarchies()]

    def create(self) -> list[Path]:
        """Make the cgroups (idempotent); return their `cgroup.procs` files for the launcher to join."""
        for path in self.paths:
            path.mkdir(parents=True, exist_ok=True)
        return [path / "cgroup.procs" for path in self.paths]

    def pids(self) -> set[int]:
        """Every process in the machine's cgroups, at any depth."""
        found: set[int] = set()
        for path in self.paths:
            if not path.is_dir():
                continue
            for folder, _dirs, files in os.walk(path):
                if "cgroup.procs" in files:
                    try:
                        found.update(int(p) for p in Path(folder, "cgroup.procs").read_text().split())
                    except OSError:
                        continue
        return found

    def kill(self, timeout: float = 10.0) -> set[int]:
        """SIGKILL every process left in the machine's cgroups; return those still alive after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.pids()
            if not left or time.monotonic() > deadline:
                return left
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        """Remove the (empty) cgroup subtrees, deepest first, and the cloud's parent when it is empty."""
        for path in self.paths:
            if not path.is_dir():
                continue
            for folder, _dirs, _files in sorted(os.walk(path), key=lambda w: -len(w[0])):
                try:
                    os.rmdir(folder)
                except OSError:
                    pass
            for parent in (path.parent, path.parent.parent):
                try:
                    os.rmdir(parent)
                except OSError:
                    break

    def exists(self) -> bool:
        """Whether any of the machine's cgroups remains."""
        return any(path.exists() for path in self.paths)
