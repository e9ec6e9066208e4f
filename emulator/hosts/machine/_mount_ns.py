"""Run as a child process of the emulator (`python -m provisioning.emulator.hosts.machine._mount_ns`):
enter a machine's mount namespace to attach a host folder's mount there or to unmount one (see volumes.py).

    attach PID SOURCE TARGET   clone the mount of SOURCE here, attach it at TARGET in the namespace of PID
    detach PID TARGET          unmount TARGET there (lazily) and remove its folder
"""

from __future__ import annotations

import ctypes
import os
import sys

_SYS_OPEN_TREE = 428
_SYS_MOVE_MOUNT = 429
_OPEN_TREE_CLONE = 1
_MOVE_MOUNT_F_EMPTY_PATH = 4
_AT_FDCWD = -100
_CLONE_NEWNS = 0x00020000
_MNT_DETACH = 2


def _enter(libc: ctypes.CDLL, init_pid: int) -> None:
    """Enter the mount namespace of `init_pid`: the root and working folder become the machine's."""
    namespace = os.open(f"/proc/{init_pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    if libc.setns(namespace, _CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), f"setns into the mount namespace of {init_pid}")


def _move_into(init_pid: int, source: str, target: str) -> None:
    """Clone the mount of `source` here, enter the mount namespace of `init_pid`, attach the clone at
    `target` there."""
    libc = ctypes.CDLL(None, use_errno=True)
    tree = libc.syscall(_SYS_OPEN_TREE, _AT_FDCWD, source.encode(), _OPEN_TREE_CLONE | os.O_CLOEXEC)
    if tree < 0:
        raise OSError(ctypes.get_errno(), f"open_tree {source}")
    _enter(libc, init_pid)
    os.makedirs(target, exist_ok=True)
    moved = libc.syscall(_SYS_MOVE_MOUNT, tree, b"", _AT_FDCWD, target.encode(), _MOVE_MOUNT_F_EMPTY_PATH)
    if moved != 0:
        raise OSError(ctypes.get_errno(), f"move_mount to {target}")


def _unmount(init_pid: int, target: str) -> None:
    """Enter the mount namespace of `init_pid`, unmount `target` lazily and remove its folder."""
    libc = ctypes.CDLL(None, use_errno=True)
    _enter(libc, init_pid)
    if libc.umount2(target.encode(), _MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), f"umount {target}")
    os.rmdir(target)


if __name__ == "__main__":
    if sys.argv[1] == "attach":
        _move_into(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        _unmount(int(sys.argv[2]), sys.argv[3])
