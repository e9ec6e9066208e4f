"""PID 1 of a sandbox host (run by the host's /usr/bin/python3 -I -S; standard library only).

Started by `unshare --net --mount --pid --uts --ipc --fork --kill-child` with one argument, a JSON file:
`{"upper", "work", "merged", "hostname", "volumes"}`. It mounts the instance's root (overlayfs over the
host's `/`, its attached volumes, its own /proc, /sys, /dev, /run) in its private mount namespace, chroots
into it, waits for the host to wire the network (a line `go` on stdin), starts sshd and the enabled services
(`svc boot`), then reaps processes until SIGTERM: `svc halt`, SIGTERM to everything, up to 3 s, exit (the
kernel kills the rest).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC = 1, 2, 4, 8, 4096, 16384
_libc = ctypes.CDLL(None, use_errno=True)
_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
    "TERM": "dumb",
}


class Stop(Exception):
    """SIGTERM arrived."""


def mount(source: str, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    """mount(2), raising OSError naming the target."""
    rc = _libc.mount(
        source.encode(),
        target.encode(),
        fstype.encode() if fstype else None,
        flags,
        data.encode() if data else None,
    )
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {fstype or 'bind'} {source} on {target}: {os.strerror(err)}")


def build_root(cfg: dict[str, Any]) -> None:
    """Mount the instance's root filesystem at cfg['merged'] and chroot into it."""
    root = cfg["merged"]
    mount("overlay", root, "overlay", 0, f"lowerdir=/,upperdir={cfg['upper']},workdir={cfg['work']}")
    for volume in cfg.get("volumes", []):  # attached volumes: a host folder each, at /mnt/volumes/<id>
        os.makedirs(root + volume["target"], exist_ok=True)
        mount(volume["source"], root + volume["target"], None, MS_BIND)
    mount("proc", f"{root}/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("sysfs", f"{root}/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("tmpfs", f"{root}/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64m")
    dev = f"{root}/dev"
    mount("tmpfs", dev, "tmpfs", MS_NOSUID, "mode=0755,size=1m")
    for node in ("null", "zero", "full", "random", "urandom", "tty"):
        open(f"{dev}/{node}", "w").close()
        mount(f"/dev/{node}", f"{dev}/{node}", None, MS_BIND)
    for sub, mode in (("pts", 0o755), ("shm", 0o1777)):
        os.mkdir(f"{dev}/{sub}", mode)
    mount(
        "devpts", f"{dev}/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"
    )
    mount("tmpfs", f"{dev}/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m")
    for name, target in (
        ("ptmx", "pts/ptmx"),
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{dev}/{name}")
    os.chroot(root)
    os.chdir("/")


def write(path: str, value: str) -> None:
    """Write a small file, ignoring a missing one (e.g. no IPv6 in this kernel)."""
    try:
        with open(path, "w") as fh:
            fh.write(value)
    except FileNotFoundError:
        pass


def boot() -> None:
    """Start sshd (it daemonizes; PID 1 adopts it) and the enabled services (in the background)."""
    for folder in ("/run/sshd", "/run/provisioning"):
        os.makedirs(folder, mode=0o755, exist_ok=True)
    done = subprocess.run(["/usr/sbin/sshd"], env=_ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"sandbox init: sshd failed: {done.stderr.strip()}")
    print("sandbox init: sshd started", flush=True)
    subprocess.Popen(["/usr/local/sbin/svc", "boot"], env=_ENV, stdin=subprocess.DEVNULL)


def reap_forever() -> None:
    """Reap every child (orphans included) until SIGTERM."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            signal.pause()


def reap_until(deadline: float, pid: int | None = None) -> None:
    """Reap children until `pid` (or every child, when None) has exited or the deadline passes."""
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid is not None and done == pid:
            return
        if done == 0:
            time.sleep(0.02)


def shutdown() -> None:
    """Stop the enabled services (reaping meanwhile: stopped daemons must not linger as zombies), then TERM
    everything and give it 3 s."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        halt = subprocess.Popen(["/usr/local/sbin/svc", "halt"], env=_ENV, stdin=subprocess.DEVNULL)
        reap_until(time.monotonic() + 10.0, halt.pid)
    except OSError:
        pass
    os.kill(-1, signal.SIGTERM)
    reap_until(time.monotonic() + 3.0)


def main() -> None:
    """Run PID 1."""
    with open(sys.argv[1]) as fh:
        cfg = json.load(fh)

    def on_term(signum: int, frame: object) -> None:
        raise Stop

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGCHLD, lambda s, f: None)
    build_root(cfg)
    socket.sethostname(cfg["hostname"])
    for scope in ("all", "default"):
        write(f"/proc/sys/net/ipv6/conf/{scope}/disable_ipv6", "1")
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("sandbox init: the host did not finish the network")
    os.environ.clear()
    os.environ.update(_ENV)
    try:
        boot()
        reap_forever()
    except Stop:
        shutdown()


if __name__ == "__main__":
    main()
