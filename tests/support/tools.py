"""Host tools a test needs: missing ones fail the test with the command that installs them (never a skip);
running one, and one that must accept its input (a config checker, the POSIX shell's parser)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

__all__ = ["accepted", "assert_posix_sh", "require_tool", "run_tool"]


def require_tool(tool: str, package: str) -> str:
    """The path of `tool`, or a failure naming it and how to install it (`scripts/system-packages.sh`)."""
    found = shutil.which(tool)
    if found is None:
        pytest.fail(
            f"{tool} is missing: install the Debian package {package} (sudo scripts/system-packages.sh)",
            pytrace=False,
        )
    return found


def run_tool(tool: str, package: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`tool args…` run to its end, its output captured as text (a missing tool fails as `require_tool`)."""
    return subprocess.run([require_tool(tool, package), *args], capture_output=True, text=True, check=False)


def accepted(tool: str, package: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`tool args…`, which must exit 0: else the failure is what it printed."""
    done = run_tool(tool, package, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def assert_posix_sh(name: str, script: str) -> None:
    """`script` must parse as POSIX sh (`dash -n` where there is a dash); else the failure names `name`."""
    shell = shutil.which("dash") or "sh"
    done = subprocess.run([shell, "-n"], input=script, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{name}: {done.stderr}"
