"""Attached volumes of a sandbox: each volume is a host folder bind-mounted at `/mnt/volumes/<volume id>`.

A volume's folder is `<root>/volumes/<id>/data`; a retained disk shows its own files instead
(`<root>/volumes/<id>/upper`). The ids attached to an instance are kept in `<instance folder>/volumes.json`:
PID 1 mounts them at every boot (`init_script`), and a running sandbox gets a mount or an unmount at once,
inside its own mount namespace (nothing shows in the host's mount table; it all goes with the sandbox).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ._run import run

__all__ = [
    "MOUNT_ROOT",
    "AttachedVolumes",
    "mount_live",
    "mounted",
    "root_mounted",
    "unmount_live",
    "volume_folder",
]

MOUNT_ROOT = "/mnt/volumes"
"""Where an instance sees its attached volumes: `/mnt/volumes/<volume id>`."""


def volume_folder(volumes_root: Path, volume_id: str) -> Path:
    """A volume's files on the host (made on first use): a retained disk's writes, else a `data` folder."""
    kept = volumes_root / volume_id / "upper"
    if kept.is_dir():
        return kept
    data = volumes_root / volume_id / "data"
    data.mkdir(parents=True, exist_ok=True)
    return data


class AttachedVolumes:
    """`<instance folder>/volumes.json`: the ids of the volumes attached to one instance, in attach order."""

    def __init__(self, instance_folder: Path, volumes_root: Path) -> None:
        self.path = instance_folder / "volumes.json"
        self.volumes_root = volumes_root

    def ids(self) -> list[str]:
        """The attached volume ids."""
        try:
            found = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return []
        return [str(v) for v in found] if isinstance(found, list) else []

    def add(self, volume_id: str) -> None:
        """Record an attachment (no-op when recorded)."""
        ids = self.ids()
        if volume_id not in ids:
            self._write([*ids, volume_id])

    def remove(self, volume_id: str) -> None:
        """Forget an attachment (no-op when absent)."""
        ids = self.ids()
        if volume_id in ids:
            self._write([v for v in ids if v != volume_id])

    def mounts(self) -> list[dict[str, str]]:
        """What PID 1 bind-mounts at boot: `[{"source": host folder, "target": path inside}]`."""
        return [
            {"source": str(volume_folder(self.volumes_root, v)), "target": f"{MOUNT_ROOT}/{v}"}
            for v in self.ids()
        ]

    def _write(self, ids: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(ids))
        os.replace(tmp, self.path)


def _target(merged: Path, volume_id: str) -> str:
    return f"{merged}{MOUNT_ROOT}/{volume_id}"


def mounted(pid: int, merged: Path, volume_id: str) -> bool:
    """Whether the volume is mounted in the sandbox whose mount namespace process `pid` holds."""
    target = _target(merged, volume_id)
    try:
        lines = Path(f"/proc/{pid}/mountinfo").read_text().splitlines()
    except OSError:
        return False
    return any(line.split()[4] == target for line in lines if len(line.split()) > 4)


def root_mounted(pid: int, merged: Path) -> bool:
    """Whether PID 1 of the sandbox has mounted its root yet (until then a mount would be hidden under it)."""
    try:
        lines = Path(f"/proc/{pid}/mountinfo").read_text().splitlines()
    except OSError:
        return False
    return any(len(line.split()) > 4 and line.split()[4] == str(merged) for line in lines)


def mount_live(pid: int, merged: Path, source: Path, volume_id: str) -> None:
    """Bind-mount `source` at `/mnt/volumes/<id>` of a running sandbox (no-op when mounted, or while its root
    is not mounted yet: the boot mounts it)."""
    if mounted(pid, merged, volume_id) or not root_mounted(pid, merged):
        return
    target = _target(merged, volume_id)
    enter = ["nsenter", "-t", str(pid), "-m", "--"]
    run([*enter, "mkdir", "-p", target])
    run([*enter, "mount", "--bind", str(source), target])


def unmount_live(pid: int, merged: Path, volume_id: str) -> None:
    """Unmount the volume from a running sandbox (lazily: a process inside it never blocks a detach)."""
    if not mounted(pid, merged, volume_id):
        return
    target = _target(merged, volume_id)
    enter = ["nsenter", "-t", str(pid), "-m", "--"]
    run([*enter, "umount", "--lazy", target])
    run([*enter, "rmdir", target], check=False)
