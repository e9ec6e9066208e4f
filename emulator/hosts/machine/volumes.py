"""Attached volumes of a machine: each volume's host folder at `/mnt/volumes/<volume id>` inside it.

A volume's files are `<root>/volumes/<id>/data` (a retained disk shows its own writes instead,
`<root>/volumes/<id>/upper`); the ids attached to an instance are kept in its folder's `volumes.json`. At boot
each is a `--bind` of systemd-nspawn. On a running machine an attach clones the folder's mount on the host
(`open_tree`) and moves the clone into the machine's own mount namespace (`move_mount`), as `machinectl bind`
does: the host's path is never visible inside, and nothing shows in the host's mount table. A detach
unmounts it there. Both run in a child process (`_mount_ns.py`): a process with threads, like the emulator,
cannot enter another mount namespace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ._run import HostError

__all__ = [
    "MOUNT_ROOT",
    "AttachedVolumes",
    "bind_arguments",
    "container_init",
    "mount_live",
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


def bind_arguments(attached: AttachedVolumes) -> list[str]:
    """systemd-nspawn's `--bind=SOURCE:TARGET` for every attached volume."""
    return [f"--bind={m['source']}:{m['target']}" for m in attached.mounts()]


def container_init(nspawn_pid: int) -> int | None:
    """The machine's PID 1 on the host: systemd-nspawn's child (None while it has none)."""
    try:
        children = Path(f"/proc/{nspawn_pid}/task/{nspawn_pid}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def mounted(init_pid: int, volume_id: str) -> bool:
    """Whether the volume is mounted in the machine whose PID 1 is `init_pid`."""
    target = f"{MOUNT_ROOT}/{volume_id}"
    try:
        lines = Path(f"/proc/{init_pid}/mountinfo").read_text().splitlines()
    except OSError:
        return False
    return any(len(fields) > 4 and fields[4] == target for fields in (line.split() for line in lines))


def mount_live(init_pid: int, source: Path, volume_id: str) -> None:
    """Show `source` at `/mnt/volumes/<id>` in the running machine (no-op when mounted)."""
    if mounted(init_pid, volume_id):
        return
    _in_child("attach", init_pid, str(source), f"{MOUNT_ROOT}/{volume_id}")


def unmount_live(init_pid: int, volume_id: str) -> None:
    """Unmount the volume from the running machine (lazily: a process inside never blocks a detach)."""
    if not mounted(init_pid, volume_id):
        return
    _in_child("detach", init_pid, f"{MOUNT_ROOT}/{volume_id}")


def _in_child(action: str, init_pid: int, *paths: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", f"{__package__}._mount_ns", action, str(init_pid), *paths],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise HostError(f"cannot {action} {paths[-1]} in the machine", stderr=done.stderr[-2000:])
