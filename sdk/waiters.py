"""Poll until a condition holds, with capped exponential backoff, bounded by a deadline."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from .backoff import Backoff
from .errors import TRANSIENT_ERRORS, ProvisioningError, WaitTimeout

__all__ = ["NO_FIRST_ANSWER", "Pace", "wait_for"]

T = TypeVar("T")

NO_FIRST_ANSWER: object = object()
"""`wait_for(first=...)` default: no answer in hand, so the first poll fetches."""

DEFAULT_BACKOFF = Backoff(initial=0.1, factor=1.5, cap=0.5, jitter=0.2)
"""Polling delays: 0.1 s growing ×1.5 up to 0.5 s (never a fixed sleep): a resource ready after t seconds is
seen at most 0.5 s later, at about two requests per second per waiting resource. (A 1 s cap let a 2 s boot
be seen only at ≈ 3 s when the poll at ≈ 1.9 s came just too early: up to 1 s on a fleet's critical path.)"""


class Pace:
    """How long waits of one kind (e.g. instance boots) took in this process: the shortest of the recent
    ones. A wait that knows it sleeps straight to that time and polls there, instead of polling along the
    backoff grid (which sees a 2 s boot only at the first grid point after 2 s): fewer requests, and the
    answer within ≈ 0.1 s of the resource being ready. Thread-safe; one per kind, shared by the process."""

    def __init__(self, keep: int = 16) -> None:
        self._lock = threading.Lock()
        self._recent: deque[float] = deque(maxlen=keep)

    def record(self, seconds: float) -> None:
        """A wait of this kind succeeded after `seconds`."""
        with self._lock:
            self._recent.append(seconds)

    def expected(self) -> float | None:
        """The shortest recent wait, or None before the first one."""
        with self._lock:
            return min(self._recent) if self._recent else None


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
    first: T | object = NO_FIRST_ANSWER,
    pace: Pace | None = None,
) -> T:
    """Call `fetch` until `done(value)`; raise `WaitTimeout` after `timeout` s, or
    `ProvisioningError(reason)` as soon as `failed(value)` returns a reason.

    `first`: a value just fetched (e.g. the create's answer) that stands in for the first `fetch`, so the
    first request goes out after the first delay instead of at once. `pace`: waits of the same kind; once
    one has succeeded, later waits sleep until that long after their start, poll, and continue from the
    first backoff delay (a resource ready sooner than every recent one is seen only then).

    A poll that fails transiently (`TRANSIENT_ERRORS`, after the client's own retries) is a poll without
    an answer: the wait goes on, and raises that error only when the deadline passes without a newer
    answer (a resource that booted fine is not lost to a burst of 5xx while it was awaited)."""
    start = clock()
    deadline = start + timeout
    attempt = 0
    pending = first
    paced = False
    checks = 0
    while True:
        checks += 1
        if pending is NO_FIRST_ANSWER:
            try:
                value = fetch()
            except TRANSIENT_ERRORS:
                remaining = deadline - clock()
                if remaining <= 0:
                    raise
                sleep(min(backoff.delay(attempt), remaining))
                attempt += 1
                continue
        else:
            value, pending = pending, NO_FIRST_ANSWER  # type: ignore[assignment]
        if done(value):
            if pace is not None and checks > 1:  # ready at once (replayed, adopted) says nothing
                pace.record(clock() - start)
            return value
        reason = failed(value)
        if reason:
            raise ProvisioningError(f"{what}: {reason}")
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout(what=what, timeout=timeout, last=value)
        expected = None if pace is None or paced else pace.expected()
        until = None if expected is None else start + expected - clock()
        if until is not None and until > 0:
            paced = True  # sleep to the expected time once, then poll from the first delay again
            sleep(min(until, remaining))
            attempt = 0
            continue
        sleep(min(backoff.delay(attempt), remaining))
        attempt += 1
