"""Capped exponential backoff with full jitter, shared by HTTP retries and waiters."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays `initial × factor**n` capped at `cap`, each drawn from `[delay × (1 - jitter), delay]`."""

    initial: float = 0.2
    """First delay in seconds."""
    factor: float = 2.0
    """Growth per attempt."""
    cap: float = 5.0
    """Largest delay in seconds."""
    jitter: float = 0.5
    """Fraction of each delay that is randomised (0 = none, 1 = full jitter)."""

    def delay(self, attempt: int, *, rng: random.Random | None = None) -> float:
        """The delay before retry number `attempt` (0-based)."""
        base = min(self.cap, self.initial * self.factor ** max(attempt, 0))
        draw = (rng or random).random()
        return base * (1.0 - self.jitter * draw)

    def delays(self, *, rng: random.Random | None = None) -> Iterator[float]:
        """An endless series of delays."""
        attempt = 0
        while True:
            yield self.delay(attempt, rng=rng)
            attempt += 1
