"""Host tools a test needs: missing ones fail the test with the command that installs them (never a skip)."""

from __future__ import annotations

import shutil

import pytest

__all__ = ["require_tool"]


def require_tool(tool: str, package: str) -> str:
    """The path of `tool`, or a failure naming it and how to install it (`scripts/system-packages.sh`)."""
    found = shutil.which(tool)
    if found is None:
        pytest.fail(
            f"{tool} is missing: install the Debian package {package} (sudo scripts/system-packages.sh)",
            pytrace=False,
        )
    return found
