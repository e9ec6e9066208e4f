"""Fixtures every unit test gets."""

from __future__ import annotations

import asyncio
import warnings

import pytest


@pytest.fixture(autouse=True)
def _a_current_event_loop() -> None:
    """Pulumi's mocks (`set_mocks`) take the thread's current event loop, and `asyncio.run` in an earlier
    test leaves none: without this, a mocks test fails or passes by the order the tests ran in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            asyncio.set_event_loop(asyncio.new_event_loop())
