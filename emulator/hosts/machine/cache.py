"""The package cache of machine hosts: Debian's apt-cacher-ng, on an address of a bridge this cloud made.

It listens only on that address (never on the host's other interfaces, never on loopback) and serves only the
Debian archives this machine's apt uses (`ForceManaged`: any other repository is refused, no CONNECT
pass-through, no redirects followed), under the paths the image's sources name (`/debian`,
`/debian-security`, …; see `mirror.py`). Every machine reaches it through its VPC bridge's gateway, so each
package crosses the network once per cloud. Its log (`apt-cacher.log`) records every file it served, with the
client's address.
"""

from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import time
from pathlib import Path

from ._run import HostError, run
from .mirror import CACHE_PORT, Repository, debian_repositories
from .network import link_exists

__all__ = ["PackageCache"]

_USER = "apt-cacher-ng"


def _sysctl(path: str, value: str) -> None:
    try:
        Path(path).write_text(value)
    except OSError as exc:
        raise HostError(f"cannot set {path} = {value}: {exc}") from exc


def _unprivileged_user(folder: Path) -> pwd.struct_passwd | None:
    """Debian's `apt-cacher-ng` user when it can reach `folder` (every parent searchable by others), else
    None: the cache then runs as root (e.g. under pytest's 0700 temporary folders)."""
    try:
        user = pwd.getpwnam(_USER)
    except KeyError:
        return None
    for parent in folder.resolve().parents:
        if not parent.stat().st_mode & 0o001:
            return None
    return user


class PackageCache:
    """One apt-cacher-ng process of one cloud, bound to `address` on the bridge `bridge`."""

    def __init__(self, folder: Path, *, bridge: str, address: str, tag: str) -> None:
        self.folder = folder
        self.bridge = bridge
        self.address = address
        self.port = CACHE_PORT
        self.tag = tag
        self.log_dir = folder / "log"
        self.cache_dir = folder / "cache"
        self.conf_dir = folder / "conf"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        """The transfer log: one line per file served (`time|O|bytes|client|path`) or fetched (`I`)."""
        return self.log_dir / "apt-cacher.log"

    def config(self, repos: list[Repository]) -> str:
        """acng.conf: bound to the bridge address, only this machine's Debian archives."""
        lines = [
            "# package cache of the local Custom Cloud's machine hosts (written at start, see cache.py)",
            f"CacheDir: {self.cache_dir}",
            f"LogDir: {self.log_dir}",
            "SupportDir: /usr/lib/apt-cacher-ng",
            f"Port: {self.port}",
            f"BindAddress: {self.address}",
            f"PidFile: {self.folder / 'acng.pid'}",
            f"SocketPath: {self.folder / 'acng.socket'}",
            "ForceManaged: 1",
            "PassThroughPattern: ^never-pass-through$",
            "ForwardBtsSoap: 0",
            "RedirMax: 0",
            "ExThreshold: 4",
            "UnbufferLogs: 1",
            "VerboseLog: 1",
            "Foreground: 1",
        ]
        for n, repo in enumerate(repos):
            lines.append(f"Remap-machine{n}: {repo.path} ; {repo.uri.rstrip('/')}")
        return "\n".join(lines) + "\n"

    # --- the bridge ---------------------------------------------------------------------------------

    def _ensure_bridge(self) -> None:
        if not link_exists(self.bridge):
            run(["ip", "link", "add", "name", self.bridge, "type", "bridge", "stp_state", "0"])
            run(["ip", "link", "set", "dev", self.bridge, "alias", self.tag])
        _sysctl(f"/proc/sys/net/ipv6/conf/{self.bridge}/disable_ipv6", "1")
        _sysctl(f"/proc/sys/net/ipv4/conf/{self.bridge}/forwarding", "0")
        run(["ip", "addr", "replace", f"{self.address}/32", "dev", self.bridge])
        run(["ip", "link", "set", "dev", self.bridge, "up"])

    # --- process ------------------------------------------------------------------------------------

    def _stop_stale(self) -> None:
        """Stop the cache a killed cloud left running on this folder (its pid file names it)."""
        try:
            pid = int((self.folder / "acng.pid").read_text().split()[0])
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            return
        if b"apt-cacher-ng" in cmd and str(self.conf_dir).encode() in cmd:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.02)

    def start(self, timeout: float = 15.0) -> None:
        """Write the configuration, make the bridge address, start apt-cacher-ng, wait until it accepts."""
        repos = debian_repositories()
        self._stop_stale()
        for folder in (self.folder, self.log_dir, self.cache_dir, self.conf_dir):
            folder.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "acng.conf").write_text(self.config(repos))
        self._ensure_bridge()
        preexec = None
        user = _unprivileged_user(self.folder)
        if user is not None:
            for folder in (self.folder, self.log_dir, self.cache_dir):
                os.chown(folder, user.pw_uid, user.pw_gid)
            for path in [*self.log_dir.iterdir(), *self.cache_dir.rglob("*")]:
                os.lchown(path, user.pw_uid, user.pw_gid)

            def preexec() -> None:
                os.setgid(user.pw_gid)
                os.setgroups([])
                os.setuid(user.pw_uid)

        with open(self.folder / "acng.out", "ab") as out:
            self._proc = subprocess.Popen(
                ["apt-cacher-ng", "-c", str(self.conf_dir)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
                preexec_fn=preexec,  # noqa: PLW1509 (drops root before exec; no threads touch it)
            )
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.poll() is not None:
                tail = (self.folder / "acng.out").read_text(errors="replace")[-1500:]
                raise HostError(f"the package cache exited at start (status {self._proc.returncode})",
                                   stderr=tail)  # fmt: skip
            try:
                with socket.create_connection((self.address, self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise HostError(
                        f"the package cache did not listen on {self.address}:{self.port}"
                    ) from None
                time.sleep(0.05)

    def running(self) -> bool:
        """Whether the cache process runs."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        """Stop apt-cacher-ng and remove the bridge (the cached files stay for the next start)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if link_exists(self.bridge):
            run(["ip", "link", "del", self.bridge], check=False)
