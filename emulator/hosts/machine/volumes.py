"""Attached volumes of a machine: each volume's host folder at `/mnt/volumes/<volume id>` inside it.

Which volumes an instance has is recorded as for sandbox hosts (`AttachedVolumes`, the same folders). At boot
each is a `--bind` of systemd-nspawn. On a running machine an attach clones the folder's mount on the host
(`open_tree`) and moves the clone into the machine's own mount namespace (`move_mount`), as `machinectl bind`
does: the host's path is never visible inside, and nothing shows in the host's mount table. A detach
unmounts it there. Both run in a child process (`_mount_ns.py`): a process with threads, like the emulator,
cannot enter another mount namespace.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..sandbox._run import SandboxError
from ..sandbox.volumes import MOUNT_ROOT, AttachedVolumes, volume_folder

__all__ = [
    "AttachedVolumes",
    "bind_arguments",
    "container_init",
    "mount_live",
    "unmount_live",
    "volume_folder",
]


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
        raise SandboxError(f"cannot {action} {paths[-1]} in the machine", stderr=done.stderr[-2000:])
