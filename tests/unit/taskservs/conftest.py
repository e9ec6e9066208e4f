"""Fixtures of the task service tests."""

from __future__ import annotations

from collections.abc import Iterator

import pulumi
import pytest

from .mocks import RecordingMocks


@pytest.fixture
def mocks() -> Iterator[RecordingMocks]:
    """Pulumi mocks (not a preview) recording what is registered; the settings are restored afterwards."""
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    yield recording
    pulumi.runtime.settings.reset_options()
