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
from .project import find_project

__all__ = ["LocalCloud", "local_cloud", "run_extension_tests", "extension_test_paths"]

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


def extension_test_paths(path: str | Path) -> tuple[Path, list[Path]]:
    """Where to run pytest and what: a stand-alone extension's `tests/`; for one that is part of a larger
    project (no `tests/` of its own), the project's test folders named like the extension's folder and its
    `test_<folder>*.py` files (`custom_cloud/`, `test_custom_database_checks.py`)."""
    root = Path(path).resolve()
    if (root / "tests").is_dir():
        return root, [root / "tests"]
    project = find_project(root)
    tests = project.project_root / "tests"
    found = sorted(
        p
        for p in tests.rglob("*")
        if "__pycache__" not in p.parts
        and (
            (p.is_dir() and p.name == root.name)
            or (p.suffix == ".py" and p.name.startswith(f"test_{root.name}"))
        )
    )
    found = [p for p in found if not any(parent in found for parent in p.parents)]
    if project.standalone or not found:
        raise ExtensionError(
            f"{root} has no tests/ folder and {tests} has no tests named after it "
            f"({root.name}/ or test_{root.name}*.py): an extension ships tests"
        )
    return project.project_root, found


def run_extension_tests(path: str | Path, pytest_args: Sequence[str] = ()) -> int:
    """Run `pytest` on the extension's tests (`extension_test_paths`) against a local Custom Cloud; returns
    pytest's exit code."""
    cwd, paths = extension_test_paths(path)
    with local_cloud() as cloud:
        env = {**os.environ, "CUSTOM_CLOUD_API_URL": cloud.url, "CUSTOM_CLOUD_API_KEY": cloud.api_key}
        src = cwd / "src"
        if src.is_dir():
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH", "")]))
        shown = " ".join(str(p.relative_to(cwd)) for p in paths)
        print(f"==> local Custom Cloud on {cloud.url}: pytest {shown}", flush=True)
        return subprocess.run(
            [sys.executable, "-m", "pytest", *pytest_args, *map(str, paths)], cwd=cwd, env=env, check=False
        ).returncode
