"""Per-key token bucket rate limiting (off when the rate is 0)."""

from __future__ import annotations

import math
import threading
import time

from .errors import RateLimited

__all__ = ["RateLimiter"]


class RateLimiter:
    """`rate` requests per second per key with a burst of `max(rate, 1)`; raises `RateLimited` (429)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def burst(self) -> float:
        """Bucket capacity."""
        return max(self.rate, 1.0)

    def check(self, key: str) -> None:
        """Take one token for `key` or raise `RateLimited` with the seconds until the next token."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
                raise RateLimited(
                    f"rate limit of {self.rate:g} requests/s exceeded", retry_after=max(1, math.ceil(wait))
                )
            self._buckets[key] = (tokens - 1.0, now)
