"""Poll until a condition holds, with capped exponential backoff, bounded by a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from .backoff import Backoff
from .errors import ProvisioningError, WaitTimeout

__all__ = ["wait_for"]

T = TypeVar("T")

DEFAULT_BACKOFF = Backoff(initial=0.1, factor=1.5, cap=1.0, jitter=0.2)
"""Polling delays: 0.1 s growing ×1.5 up to 1 s (never a fixed sleep): a resource ready after t seconds is
seen at most ≈ 1 s later (a 2 s boot at ≈ 2.1 s), at about one request per second per waiting resource."""


def wait_for(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    what: str,
    timeout: float,
    backoff: Backoff = DEFAULT_BACKOFF,
    failed: Callable[[T], str | None] = lambda _value: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `fetch` until `done(value)`; raise `WaitTimeout` after `timeout` s, or
    `ProvisioningError(reason)` as soon as `failed(value)` returns a reason."""
    deadline = clock() + timeout
    attempt = 0
    while True:
        value = fetch()
        if done(value):
            return value
        reason = failed(value)
        if reason:
            raise ProvisioningError(f"{what}: {reason}")
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout(what=what, timeout=timeout, last=value)
        sleep(min(backoff.delay(attempt), remaining))
        attempt += 1
