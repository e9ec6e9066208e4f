"""What the emulator's machine hosts may leave in the kernel: snapshots for "nothing remains" assertions."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

__all__ = ["assert_nothing_left", "leftovers", "mounts_under", "netns", "processes"]


def _out(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def netns() -> list[str]:
    """The names of the network namespaces."""
    return _out("ip", "netns", "list").split()


def mounts_under(state_dir: Path) -> list[str]:
    """The mount table's lines naming `state_dir`."""
    return [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if str(state_dir) in line]


def processes() -> Iterator[tuple[str, str, str | None]]:
    """Each process: its pid, its command line (arguments joined by spaces) and its root folder (None when
    that cannot be read); processes whose command line cannot be read (just exited, say) are passed over."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        try:
            root: str | None = os.readlink(proc / "root")
        except OSError:
            root = None
        yield proc.name, cmd, root


def leftovers(state_dir: Path) -> dict[str, list[str]]:
    """Network namespaces, cc* links, proto-177 routes, mounts under `state_dir` and machine processes."""
    links = [link["ifname"] for link in json.loads(_out("ip", "-j", "link", "show"))
             if link["ifname"].startswith(("ccb", "ccv"))]  # fmt: skip
    routes = [r.get("dst", "") for r in json.loads(_out("ip", "-j", "route", "show", "table", "all"))
              if r.get("protocol") == "177"]  # fmt: skip
    here = str(state_dir)
    procs = [
        f"{pid}: {cmd[:200]}"
        for pid, cmd, root in processes()
        if root is not None and (here in root or (here in cmd and " cloud serve " not in cmd))
    ]
    return {"netns": netns(), "links": links, "routes": routes, "mounts": mounts_under(state_dir),
            "processes": procs}  # fmt: skip


def assert_nothing_left(state_dir: Path) -> None:
    """No namespace, link, route, mount or process of the machine hosts under `state_dir` remains."""
    left = leftovers(state_dir)
    assert left == {"netns": [], "links": [], "routes": [], "mounts": [], "processes": []}, left
