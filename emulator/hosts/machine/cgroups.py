"""Each machine's own cgroup, made before it starts and removed after it stops.

systemd inside a container must own a cgroup subtree in every hierarchy it uses; with several machines
starting at once, sharing the launcher's cgroup leaves units unable to attach to theirs (the machine comes up
`degraded`). So each machine's launcher writes itself into `provisioning-machines/<cloud>/<instance>` of the
`name=systemd`, unified, memory and cpu hierarchies (those present) before `systemd-nspawn --keep-unit` runs,
and the whole subtree is removed (deepest first) once every process in it is gone. The memory and CPU of the
instance's machine type are its limits there: memory in bytes, CPU as a quota of that many CPUs per period.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CGROUP_ROOT", "Limits", "MachineCgroup", "hierarchies"]

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT = "provisioning-machines"
CPU_PERIOD_US = 100_000


@dataclass(frozen=True, slots=True)
class Limits:
    """What a machine may use: its machine type's CPUs and memory."""

    cpus: int
    memory_bytes: int

    def files(self, unified: bool) -> dict[str, str]:
        """Control file (relative to a hierarchy's cgroup) → value, for a unified or a v1 hierarchy."""
        quota = self.cpus * CPU_PERIOD_US
        if unified:
            return {"memory.max": str(self.memory_bytes), "cpu.max": f"{quota} {CPU_PERIOD_US}"}
        return {
            "memory.limit_in_bytes": str(self.memory_bytes),
            "cpu.cfs_period_us": str(CPU_PERIOD_US),
            "cpu.cfs_quota_us": str(quota),
        }


def hierarchies() -> list[Path]:
    """Mount points of the hierarchies a machine gets its own cgroup in (hybrid or unified hosts)."""
    if (CGROUP_ROOT / "cgroup.controllers").exists():  # cgroup v2 only
        return [CGROUP_ROOT]
    names = ("systemd", "unified", "memory", "cpu")
    return [CGROUP_ROOT / name for name in names if (CGROUP_ROOT / name).is_dir()]


class MachineCgroup:
    """The cgroup (one per hierarchy) of one machine of one cloud."""

    def __init__(self, cloud: str, instance_id: str) -> None:
        self.relative = Path(PARENT) / cloud / instance_id
        self.paths = [h / self.relative for h in hierarchies()]

    def create(self, limits: Limits | None = None) -> list[Path]:
        """Make the cgroups (idempotent) with `limits` set where their controllers are; return their
        `cgroup.procs` files for the launcher to join."""
        for path in self.paths:
            path.mkdir(parents=True, exist_ok=True)
        if limits is not None:
            self._limit(limits)
        return [path / "cgroup.procs" for path in self.paths]

    def _limit(self, limits: Limits) -> None:
        unified = (CGROUP_ROOT / "cgroup.controllers").exists()
        if unified:  # the controllers are enabled for the subtree, from the root down
            for depth in range(len(self.relative.parts)):
                control = CGROUP_ROOT.joinpath(*self.relative.parts[:depth]) / "cgroup.subtree_control"
                control.write_text("+memory +cpu")
        for name, value in limits.files(unified).items():
            for path in self.paths:
                if (path / name).exists():
                    (path / name).write_text(value)

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
