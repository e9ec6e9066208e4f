"""Fixtures for tests that drive the real Pulumi engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.pulumi_cli import require_engine


@pytest.fixture(scope="session", autouse=True)
def pulumi_engine() -> str:
    """Every engine test needs the pinned CLI; a missing one fails with how to install it."""
    return require_engine()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]
