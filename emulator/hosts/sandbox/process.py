"""The process tree of a sandbox: `unshare` (new net/mount/pid/uts/ipc namespaces) → PID 1 (`init_script`).

`--kill-child` makes the kernel kill PID 1, and so the whole pid namespace, when `unshare` dies. The network
and mount namespaces die with their last process: nothing of a stopped sandbox stays in the kernel except
the host end of its veth, which `network.detach` removes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ._run import SandboxError

__all__ = ["PidFile", "children", "spawn", "terminate", "wait_for_namespace"]

INIT_SCRIPT = Path(__file__).with_name("init_script.py")
PYTHON = "/usr/bin/python3"
UNSHARE = [
    "unshare",
    "--net",
    "--mount",
    "--pid",
    "--uts",
    "--ipc",
    "--fork",
    "--kill-child",
    "--propagation",
    "private",
]


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


class PidFile:
    """`<folder>/pid`: the host pid of a sandbox's `unshare` and its start time (guards against pid reuse)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, pid: int) -> None:
        """Record `pid`."""
        self.path.write_text(f"{pid} {_start_time(pid)}\n")

    def alive(self) -> int | None:
        """The recorded pid if that very process still runs, else None."""
        try:
            pid_s, started = self.path.read_text().split()
        except (OSError, ValueError):
            return None
        pid = int(pid_s)
        return pid if _start_time(pid) == started else None

    def clear(self) -> None:
        """Forget the pid."""
        self.path.unlink(missing_ok=True)


def spawn(config: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start a sandbox's namespaces and PID 1 (which waits for `go` on stdin)."""
    with open(log, "ab") as out:
        try:
            return subprocess.Popen(
                [*UNSHARE, PYTHON, "-I", "-S", str(INIT_SCRIPT), str(config)],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=out,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise SandboxError(f"cannot start the sandbox: {exc}", command=UNSHARE) from exc


def wait_for_namespace(pid: int, timeout: float = 5.0) -> None:
    """Wait until process `pid` has left the host's network namespace (unshare(2) done)."""
    mine = os.readlink("/proc/self/ns/net")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.readlink(f"/proc/{pid}/ns/net") != mine:
                return
        except OSError as exc:
            raise SandboxError(f"the sandbox process {pid} exited while starting") from exc
        time.sleep(0.001)
    raise SandboxError(f"the sandbox process {pid} did not enter its namespaces in {timeout:g} s")


def children(pid: int) -> list[int]:
    """Direct children of `pid`."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _gone(pid: int, proc: subprocess.Popen[bytes] | None) -> bool:
    if proc is not None:
        return proc.poll() is not None
    state = None
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def terminate(pid: int, proc: subprocess.Popen[bytes] | None, *, grace: float) -> None:
    """Stop a sandbox: SIGTERM to its PID 1 (graceful), then SIGKILL to `unshare` after `grace` seconds."""
    inits = children(pid)
    for child in inits:
        try:
            os.kill(child, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while not _gone(pid, proc) and time.monotonic() < deadline:
        time.sleep(0.02)
    if not _gone(pid, proc):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10.0
    while not _gone(pid, proc):
        if time.monotonic() > deadline:
            print(f"sandbox: process {pid} did not exit", file=sys.stderr)
            break
        time.sleep(0.01)
    for child in inits:  # PID 1 dies by SIGKILL from --kill-child; its namespace goes with it
        while not _gone(child, None) and time.monotonic() < deadline:
            time.sleep(0.01)
