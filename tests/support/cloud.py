"""Start and stop a real local Custom Cloud (`provisioning cloud serve --port 0`) for tests."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = [
    "CloudDidNotStart",
    "CloudHandle",
    "running_cloud",
    "serve_command",
    "start_cloud",
    "stop_cloud",
    "stop_process",
]

_LISTENING = re.compile(r"custom-cloud listening on (http://127\.\d+\.\d+\.\d+:\d+/v1)")


@dataclass
class CloudHandle:
    """A running emulator process."""

    url: str
    """Base URL ending in /v1."""
    api_key: str
    """Key of the bootstrap project (never print it)."""
    admin_token: str
    """Admin bearer token (never print it)."""
    process: subprocess.Popen[str]
    """The server process."""
    state: Path
    """Its SQLite state file."""

    @property
    def root(self) -> str:
        """URL without /v1 (for /healthz, /metrics, /admin)."""
        return self.url.removesuffix("/v1")

    def client(self, *, timeout: float = 10) -> httpx.Client:
        """An httpx client for `/v1` authenticated with the bootstrap project's key."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.api_key}"}, timeout=timeout
        )

    def __repr__(self) -> str:  # keep secrets out of assertion messages
        return f"CloudHandle(url={self.url!r}, pid={self.process.pid})"


def _flag_args(flags: dict[str, object]) -> list[str]:
    args: list[str] = []
    for name, value in flags.items():
        opt = "--" + name.replace("_", "-")
        if value is True:
            args.append(opt)
        elif isinstance(value, list | tuple):
            for item in value:
                args += [opt, str(item)]
        elif value is not None and value is not False:
            args += [opt, str(value)]
    return args


def serve_command(state: Path, *, host: str = "127.0.0.1", **flags: object) -> list[str]:
    """`provisioning cloud serve` on `host` and a free port with `state`, through this interpreter, with
    `flags` as options (`lifecycle="manual"` → `--lifecycle manual`)."""
    return [sys.executable, "-m", "provisioning.cli", "cloud", "serve", "--host", host, "--port", "0",
            "--state", str(state), *_flag_args(flags)]  # fmt: skip


def start_cloud(
    state: Path,
    *,
    api_key: str | None = None,
    admin_token: str | None = None,
    project: str = "test",
    timeout: float = 20.0,
    **flags: object,
) -> CloudHandle:
    """Start a server on a free loopback port with `state`; wait until /healthz answers."""
    api_key = api_key or "ck_" + secrets.token_urlsafe(24)
    admin_token = admin_token or "adm_" + secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "CUSTOM_CLOUD_BOOTSTRAP_PROJECT": project,
        "CUSTOM_CLOUD_BOOTSTRAP_KEY": api_key,
        "CUSTOM_CLOUD_ADMIN_TOKEN": admin_token,
    }
    flags.setdefault("lifecycle", "immediate")
    flags.setdefault("hosts", "record")  # machine hosts only where a test asks (hosts="machine")
    if flags["hosts"] == "machine" and flags.get("public_pool") is None:
        return _start_with_a_free_pool(state, api_key, admin_token, project, timeout, flags)
    cmd = serve_command(state, **flags)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    url = None
    assert proc.stdout is not None
    said: list[str] = []
    while url is None:
        line = proc.stdout.readline()
        if not line:
            proc.wait(timeout=5)
            raise CloudDidNotStart(proc.returncode, "".join(said[-20:]))
        said.append(line)
        match = _LISTENING.search(line)
        if match:
            url = match.group(1)
        if time.monotonic() > deadline:
            stop_cloud(proc)
            raise TimeoutError("custom cloud did not print its address in time")
    # keep reading the output so that a chatty server can never block on a full pipe
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    handle = CloudHandle(url, api_key, admin_token, proc, state)
    while True:
        try:
            if httpx.get(f"{handle.root}/healthz", timeout=1.0).status_code == 200:
                return handle
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            stop_cloud(proc)
            raise TimeoutError("custom cloud /healthz did not answer in time")
        time.sleep(0.05)


class CloudDidNotStart(RuntimeError):
    """The server exited before listening; carries what it printed."""

    def __init__(self, returncode: int | None, output: str) -> None:
        self.output = output
        super().__init__(f"custom cloud exited with {returncode} before listening:\n{output}")


_POOLS: dict[Path, str] = {}
"""The public address pool each state file's machine-host cloud was started with (kept on a restart: its
instances' public addresses are in it)."""


def _start_with_a_free_pool(
    state: Path, api_key: str, admin_token: str, project: str, timeout: float, flags: dict[str, object]
) -> CloudHandle:
    """Machine-host clouds of concurrent test runs started without a pool each take one no other local cloud
    holds (two clouds with one pool would hand out the same addresses): 100.64.0.0/16, else the next free one
    below the modules' own pools (100.80.0.0/16 and up)."""
    key = state.resolve()
    candidates = [_POOLS[key]] if key in _POOLS else [f"100.{n}.0.0/16" for n in range(64, 80)]
    for pool in candidates:
        if pool in _POOLS.values() and _POOLS.get(key) != pool:
            continue
        try:
            handle = start_cloud(state, api_key=api_key, admin_token=admin_token, project=project,
                                 timeout=timeout, **{**flags, "public_pool": pool})  # fmt: skip
        except CloudDidNotStart as exc:
            if "is in use by another local Custom Cloud" in exc.output and len(candidates) > 1:
                continue
            raise
        _POOLS[key] = pool
        return handle
    raise RuntimeError(f"no free public address pool for a machine-host cloud among {candidates}")


def stop_cloud(proc: subprocess.Popen[str], *, kill: bool = False) -> None:
    """Stop the process (SIGTERM, or SIGKILL when `kill`), reap it and close its output."""
    stop_process(proc, kill=kill)
    if proc.stdout is not None:
        proc.stdout.close()


def stop_process(proc: subprocess.Popen[str], *, kill: bool = False, timeout: float = 10) -> None:
    """Stop the process (SIGTERM, or SIGKILL when `kill`) and reap it; one still running after `timeout`
    seconds is killed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextmanager
def running_cloud(tmp_path: Path, **flags: object) -> Iterator[CloudHandle]:
    """A server on a fresh state file under `tmp_path` for the duration of the block."""
    state = Path(flags.pop("state", tmp_path / "custom-cloud.db"))  # type: ignore[arg-type]
    handle = start_cloud(state, **flags)  # type: ignore[arg-type]
    try:
        yield handle
    finally:
        stop_cloud(handle.process)
