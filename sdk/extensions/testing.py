"""`provisioning extension test`: the extension's tests (pytest) with a local Custom Cloud started for them
(`provisioning cloud serve` on a free loopback port, records only, in a scratch folder) and stopped
afterwards, whatever happens. The tests find it in CUSTOM_CLOUD_API_URL and CUSTOM_CLOUD_API_KEY."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ExtensionError

__all__ = ["LocalCloud", "local_cloud", "run_extension_tests"]

_LISTENING = re.compile(r"custom-cloud listening on (http://127\.\d+\.\d+\.\d+:\d+/v1)")


@dataclass(frozen=True)
class LocalCloud:
    """A running local Custom Cloud."""

    url: str
    """Its API, ending in /v1."""
    api_key: str
    """The key of its default project (never print it)."""

    def __repr__(self) -> str:
        return f"LocalCloud(url={self.url!r})"


@contextmanager
def local_cloud(*, timeout: float = 60.0) -> Iterator[LocalCloud]:
    """A local Custom Cloud (records only, instant lifecycle) for the block; stopped on leaving it."""
    with tempfile.TemporaryDirectory(prefix="extension-cloud-") as scratch:
        state = Path(scratch) / "cloud.db"
        cmd = [sys.executable, "-m", "provisioning.cli", "cloud", "serve", "--port", "0", "--hosts", "record",
               "--lifecycle", "immediate", "--state", str(state)]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOM_CLOUD_BOOTSTRAP")}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            yield _wait_listening(proc, state, timeout)
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _wait_listening(proc: subprocess.Popen[str], state: Path, timeout: float) -> LocalCloud:
    assert proc.stdout is not None
    deadline, seen = time.monotonic() + timeout, list[str]()
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise ExtensionError("the local Custom Cloud stopped before listening:\n" + "".join(seen[-20:]))
        seen.append(line)
        found = _LISTENING.search(line)
        if found:
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # never block on a full pipe
            key = Path(str(state) + ".key").read_text(encoding="utf-8").strip()
            return LocalCloud(found.group(1), key)
    raise ExtensionError(f"the local Custom Cloud did not listen within {timeout:.0f} s")


def run_extension_tests(path: str | Path, pytest_args: Sequence[str] = ()) -> int:
    """Run `pytest` in the extension's folder against a local Custom Cloud; returns pytest's exit code."""
    root = Path(path).resolve()
    if not (root / "tests").is_dir():
        raise ExtensionError(f"{root} has no tests/ folder: an extension ships tests")
    with local_cloud() as cloud:
        env = {**os.environ, "CUSTOM_CLOUD_API_URL": cloud.url, "CUSTOM_CLOUD_API_KEY": cloud.api_key}
        src = root / "src"
        if src.is_dir():
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH", "")]))
        print(f"==> local Custom Cloud on {cloud.url}: pytest {root / 'tests'}", flush=True)
        return subprocess.run(
            [sys.executable, "-m", "pytest", *pytest_args], cwd=root, env=env, check=False
        ).returncode
