"""TypeScript projects that add the component package as a user does: a wheel of this checkout installed
into its own venv by `provisioning package setup`, the project pointed at it, `npm install`, then
`pulumi package add` of the package folder in that venv. A missing tool fails with how to install it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.pulumi_cli import REPO_ROOT, require_engine

__all__ = ["PackageVenv", "add_package", "package_venv", "require_node"]


@dataclass(frozen=True)
class PackageVenv:
    """A venv with a wheel of this checkout installed."""

    path: Path
    """The venv."""
    plugin: Path
    """The component package's folder in it."""
    seconds: float
    """How long the wheel and the venv took."""


def require_node() -> None:
    """node, npm and the Node.js language host are on PATH; fails (never skips) with how to get them."""
    debian = "run `make setup` (scripts/system-packages.sh installs Debian's nodejs and npm)"
    host = "run `make setup` (scripts/toolchain.sh builds the Node.js language host)"
    for tool, hint in (("node", debian), ("npm", debian), ("pulumi-language-nodejs", host)):
        if shutil.which(tool) is None:
            raise AssertionError(f"`{tool}` is not on PATH: {hint}")
    require_engine()


def _run(args: list[str], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, (
        f"`{' '.join(args)}` exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def package_venv(folder: Path) -> PackageVenv:
    """A wheel of this checkout in `folder/wheel`, installed into the venv `folder/venv` by
    `provisioning package setup --venv … --from <wheel>`."""
    started = time.monotonic()
    wheels = folder / "wheel"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO_ROOT)], folder)
    [wheel] = wheels.glob("provisioning-*.whl")
    printed = _run(
        [sys.executable, "-m", "provisioning.cli", "package", "setup", "--venv", str(folder / "venv"),
         "--from", str(wheel)],
        folder,
    )  # fmt: skip
    plugin = next(line.split(": ", 1)[1] for line in printed.splitlines() if line.startswith("package: "))
    return PackageVenv(folder / "venv", Path(plugin), time.monotonic() - started)


def add_package(project: Path, venv: PackageVenv, env: dict[str, str]) -> dict[str, float]:
    """Point `project`'s Pulumi.yaml at `venv`, `npm install`, `pulumi package add` the package; the seconds
    each took."""
    require_node()
    took: dict[str, float] = {}
    steps = {
        "setup": [sys.executable, "-m", "provisioning.cli", "package", "setup", "--venv", str(venv.path),
                  "--project", str(project)],
        "npm install": ["npm", "install", "--no-audit", "--no-fund", "--prefer-offline"],
        "package add": [require_engine(), "package", "add", str(venv.plugin), "--non-interactive"],
    }  # fmt: skip
    for name, args in steps.items():
        started = time.monotonic()
        _run(args, project, env={**os.environ, **env})
        took[name] = round(time.monotonic() - started, 1)
    return took
