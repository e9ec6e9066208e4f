"""A sandbox's disk: the upper and work folders of an overlay over the host's root filesystem.

The overlay itself is mounted by the sandbox's PID 1 inside its own mount namespace (see `init_script`), so
it disappears with the sandbox's processes and never shows in the host's mount table. Here, on the host
side, the disk is prepared (folders hidden from the host, files the instance owns) and moved or removed.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

__all__ = ["HIDDEN_FILES", "HIDDEN_PATHS", "Disk", "hide", "mkdir_like", "put_file", "whiteout"]

HIDDEN_PATHS: tuple[str, ...] = (
    "/root", "/home", "/tmp", "/var/tmp", "/mnt", "/media", "/var/lib/apt/lists", "/etc/apt/sources.list.d",
)  # fmt: skip
"""Host folders a sandbox sees empty (opaque in the overlay); anything else of the host root is visible
copy-on-write. Without apt lists and sources, apt inside knows only the installed packages: installing one
of them succeeds at once and nothing is ever fetched (no network)."""
HIDDEN_FILES: tuple[str, ...] = ("/etc/apt/sources.list",)
"""Host files absent inside (whiteouts)."""

_OPAQUE = "trusted.overlay.opaque"


class Disk:
    """The persistent part of one sandbox: `upper` (its writes) and `work` (overlayfs scratch)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.upper = path / "upper"
        self.work = path / "work"

    def create(self, hidden: list[str]) -> None:
        """Make an empty disk whose view hides `hidden` host folders."""
        self.upper.mkdir(parents=True, exist_ok=True)
        self.work.mkdir(parents=True, exist_ok=True)
        for folder in hidden:
            hide(self.upper, folder)
        for path in HIDDEN_FILES:
            whiteout(self.upper, path)

    def exists(self) -> bool:
        """Whether the disk was created."""
        return self.upper.is_dir()

    def move_to(self, dest: Path) -> None:
        """Keep the disk elsewhere (a retained volume)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.work, ignore_errors=True)
        os.replace(self.path, dest)

    def remove(self) -> None:
        """Delete the disk."""
        shutil.rmtree(self.path, ignore_errors=True)


def mkdir_like(upper: Path, path: str) -> Path:
    """Create `upper/path` with each component's mode and owner copied from the host's `path`."""
    target = upper
    host = Path("/")
    for part in Path(path).relative_to("/").parts:
        target, host = target / part, host / part
        if not target.exists():
            target.mkdir()
            try:
                st = host.stat()
            except FileNotFoundError:
                continue
            os.chown(target, st.st_uid, st.st_gid)
            os.chmod(target, stat.S_IMODE(st.st_mode))
    return target


def hide(upper: Path, path: str) -> None:
    """Make host folder `path` look empty inside (an opaque folder in the upper layer)."""
    folder = mkdir_like(upper, path)
    os.setxattr(folder, _OPAQUE, b"y")


def whiteout(upper: Path, path: str) -> None:
    """Make host file `path` absent inside (an overlay whiteout: a 0/0 character device)."""
    target = upper / Path(path).relative_to("/")
    mkdir_like(upper, str(Path(path).parent))
    if target.exists() or target.is_symlink():
        target.unlink()
    os.mknod(target, stat.S_IFCHR | 0o000, os.makedev(0, 0))


def put_file(
    upper: Path, path: str, content: str | bytes, mode: int = 0o644, *, dir_mode: int | None = None
) -> None:
    """Write file `path` of the instance (into the upper layer), owned by root."""
    parent = mkdir_like(upper, str(Path(path).parent))
    if dir_mode is not None:
        os.chmod(parent, dir_mode)
    target = upper / Path(path).relative_to("/")
    data = content.encode() if isinstance(content, str) else content
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, mode)
    os.chown(tmp, 0, 0)
    os.replace(tmp, target)
