"""Drives the real `pulumi` CLI on a copy of a Pulumi project, with its own file:// backend."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PulumiError", "PulumiProject", "require_engine"]

REPO_ROOT = Path(__file__).resolve().parents[2]
PINNED_VERSION = "v3.259.0"


class PulumiError(AssertionError):
    """A `pulumi` command exited non-zero; carries its output."""

    def __init__(self, args: list[str], result: subprocess.CompletedProcess[str]) -> None:
        self.result = result
        super().__init__(
            f"`pulumi {' '.join(args)}` exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
        )


def require_engine() -> str:
    """The path of the pinned `pulumi`; fails (never skips) with how to install it."""
    found = shutil.which("pulumi")
    hint = "run `make setup` (or `source scripts/env.sh` after it) to install the pinned Pulumi toolchain"
    if found is None:
        raise AssertionError(f"the `pulumi` CLI is not on PATH: {hint}")
    version = subprocess.run([found, "version"], capture_output=True, text=True, check=True).stdout.strip()
    if version != PINNED_VERSION:
        raise AssertionError(f"`pulumi version` is {version}, expected {PINNED_VERSION}: {hint}")
    return found


@dataclass
class PulumiProject:
    """A copy of a project in `workdir` with a stack on a private file:// backend under `workdir`."""

    workdir: Path
    stack: str = "test"
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def copy_of(cls, source: Path, workdir: Path, *, stack: str = "test", **env: str) -> PulumiProject:
        shutil.copytree(
            source, workdir, ignore=shutil.ignore_patterns(".out", "__pycache__", "Pulumi.*.yaml")
        )
        project = cls(workdir=workdir, stack=stack, env=env)
        project.state_dir.mkdir(exist_ok=True)
        project.run("stack", "init", stack)
        return project

    @property
    def state_dir(self) -> Path:
        return self.workdir / ".state"

    def _environment(self) -> dict[str, str]:
        environment = dict(os.environ)
        environment.update(
            PULUMI_BACKEND_URL=f"file://{self.state_dir}",
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        )
        environment.setdefault("PULUMI_CONFIG_PASSPHRASE", "dev-only-not-a-secret")
        environment.update(self.env)
        return environment

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Runs `pulumi <args>` in the project; raises PulumiError on failure when `check`."""
        full = [*args, "--non-interactive"] if args[0] != "version" else list(args)
        result = subprocess.run(
            [require_engine(), *full],
            cwd=self.workdir,
            env=self._environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            raise PulumiError(list(full), result)
        return result

    def config_set(self, key: str, value: str, *, secret: bool = False) -> None:
        self.run("config", "set", *(["--secret"] if secret else []), key, value, "--stack", self.stack)

    def up(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", "--stack", self.stack, *extra)

    def preview(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("preview", "--stack", self.stack, *extra, check=check)

    def preview_json(self, *extra: str) -> dict[str, Any]:
        return json.loads(self.preview("--json", *extra).stdout)

    def refresh(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("refresh", "--yes", "--skip-preview", "--stack", self.stack, *extra)

    def destroy(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("destroy", "--yes", "--skip-preview", "--stack", self.stack, *extra)

    def outputs(self) -> dict[str, Any]:
        return json.loads(
            self.run("stack", "output", "--json", "--show-secrets", "--stack", self.stack).stdout
        )

    def state_file(self) -> Path:
        """The stack's checkpoint file in the file:// backend."""
        matches = list(self.state_dir.glob(f".pulumi/stacks/*/{self.stack}.json"))
        assert len(matches) == 1, f"expected one state file for {self.stack}, found {matches}"
        return matches[0]

    def state(self) -> dict[str, Any]:
        return json.loads(self.state_file().read_text())

    def resources(self) -> list[dict[str, Any]]:
        """The stack's resources as exported by `pulumi stack export`."""
        exported = json.loads(self.run("stack", "export", "--stack", self.stack).stdout)
        return list(exported["deployment"].get("resources") or [])
