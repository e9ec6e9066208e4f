"""One Pulumi release is pinned across the CLI, the language host and the `pulumi` package."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def pinned_cli_version() -> str:
    match = re.search(r'PULUMI_VERSION="(v[\d.]+)"', (REPO_ROOT / "scripts" / "env.sh").read_text())
    assert match, "scripts/env.sh must pin PULUMI_VERSION"
    return match.group(1)


def test_python_package_matches_the_cli_pin() -> None:
    assert f"v{importlib.metadata.version('pulumi')}" == pinned_cli_version()
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    assert f'"pulumi=={pinned_cli_version()[1:]}"' in pyproject


def test_support_helper_expects_the_same_pin() -> None:
    from tests.support.pulumi_cli import PINNED_VERSION

    assert pinned_cli_version() == PINNED_VERSION
