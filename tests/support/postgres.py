"""A throwaway PostgreSQL server on 127.0.0.1 for tests (Debian's postgresql package, run as `postgres`)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PostgresServer", "running_postgres"]

INSTALL_HINT = "install it with `make setup` (scripts/system-packages.sh installs Debian's postgresql)"


@dataclass(frozen=True)
class PostgresServer:
    """A running server: `url` for libpq clients, `psql()` to query it."""

    port: int
    bin_dir: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres?sslmode=disable"

    def psql(self, sql: str) -> str:
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-At", "-c", sql],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise AssertionError(f"PostgreSQL server binaries (initdb) are missing: {INSTALL_HINT}")
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*command: str) -> list[str]:
    if os.geteuid() != 0:
        return list(command)
    if shutil.which("runuser") is None:
        raise AssertionError("runuser (util-linux) is missing: apt-get install util-linux")
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Starts a private cluster (trust auth, loopback only) and removes it afterwards."""
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="provisioning-pg-"))
    os.chmod(root, 0o755)
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres(
            str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        ),
        check=True,
        capture_output=True,
    )
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off"
    subprocess.run(
        _as_postgres(
            str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"
        ),
        check=True,
        capture_output=True,
    )
    server = PostgresServer(port=port, bin_dir=bin_dir)
    try:
        deadline = time.monotonic() + 30
        while server.psql("select 1") != "1":
            if time.monotonic() > deadline:
                raise AssertionError("PostgreSQL did not answer within 30 s")
            time.sleep(0.1)
        yield server
    finally:
        subprocess.run(
            _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
