"""What the emulator's machine hosts may leave in the kernel: snapshots for "nothing remains" assertions."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

__all__ = ["leftovers"]


def _out(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def leftovers(state_dir: Path) -> dict[str, list[str]]:
    """Network namespaces, cc* links, proto-177 routes, mounts under `state_dir` and machine processes."""
    links = [link["ifname"] for link in json.loads(_out("ip", "-j", "link", "show"))
             if link["ifname"].startswith(("ccb", "ccv"))]  # fmt: skip
    routes = [r.get("dst", "") for r in json.loads(_out("ip", "-j", "route", "show", "table", "all"))
              if r.get("protocol") == "177"]  # fmt: skip
    mounts = [
        line for line in Path("/proc/self/mountinfo").read_text().splitlines() if str(state_dir) in line
    ]
    procs = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            root = os.readlink(proc / "root")
        except OSError:
            continue
        if str(state_dir) in root or (str(state_dir) in cmd and " cloud serve " not in cmd):
            procs.append(f"{proc.name}: {cmd[:200]}")
    return {"netns": _out("ip", "netns", "list").split(), "links": links, "routes": routes, "mounts": mounts,
            "processes": procs}  # fmt: skip
