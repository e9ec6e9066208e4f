"""A throwaway MariaDB server on 127.0.0.1 for tests (Debian's mariadb-server, run as `mysql` when root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .postgres import _free_port
from .tools import require_tool

__all__ = ["MariaDBServer", "running_mariadb"]


@dataclass(frozen=True)
class MariaDBServer:
    """A running server: clients connect to `port` on 127.0.0.1; `sql()` runs statements as root on its
    socket (root logs in by unix_socket only)."""

    port: int
    socket: Path
    client: str

    def sql(self, statement: str, *, check: bool = True) -> str:
        """The tab-separated rows `statement` returns, without column names (with `check=False`, "" when it
        fails)."""
        result = subprocess.run(
            [self.client, "--no-defaults", "-S", str(self.socket), "-u", "root", "-N", "-e", statement],
            capture_output=True,
            text=True,
            check=check,
        )
        return result.stdout.strip()

    def answers(self) -> bool:
        """It answers `SELECT 1` on its socket."""
        return self.sql("SELECT 1", check=False) == "1"


@contextmanager
def running_mariadb() -> Iterator[MariaDBServer]:
    """Starts a private server (`mariadbd`, loopback only, no binary log) and removes it afterwards."""
    mariadbd = require_tool("mariadbd", "mariadb-server")
    install = require_tool("mariadb-install-db", "mariadb-server")
    client = require_tool("mariadb", "mariadb-client")
    root = Path(tempfile.mkdtemp(prefix="provisioning-mariadb-"))
    os.chmod(root, 0o755)
    (root / "data").mkdir()
    as_mysql: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "mysql", "mysql")
        shutil.chown(root / "data", "mysql", "mysql")
        as_mysql = ["runuser", "-u", "mysql", "--"]
    server = MariaDBServer(port=_free_port(), socket=root / "sock", client=client)
    subprocess.run(
        [install, "--no-defaults", f"--datadir={root / 'data'}", "--auth-root-authentication-method=socket",
         "--skip-test-db", *(["--user=mysql"] if as_mysql else [])],
        check=True, capture_output=True,
    )  # fmt: skip
    process = subprocess.Popen(
        [*as_mysql, mariadbd, "--no-defaults", f"--datadir={root / 'data'}", f"--port={server.port}",
         "--bind-address=127.0.0.1", f"--socket={server.socket}", f"--pid-file={root / 'pid'}",
         "--skip-log-bin", "--innodb-buffer-pool-size=16M"],
        stdout=subprocess.DEVNULL, stderr=(root / "log").open("w"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not server.answers():
            assert process.poll() is None, f"mariadbd exited: {(root / 'log').read_text()[-800:]}"
            assert time.monotonic() < deadline, "MariaDB did not answer within 60 s"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
