"""`PidFile`: a process's pid and start time on disk, so that a reused pid is never taken for it."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PidFile"]


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


class PidFile:
    """`<folder>/pid`: the host pid of a machine's launcher and its start time (guards against pid reuse)."""

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
