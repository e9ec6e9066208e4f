"""Which servers of a stack may be out of service for a rolling change now: one tier at a time, at most its
batch of servers at once; a failure stops the roll. The resize hooks enter before a server's update and
leave after it is back (or failed), so the engine may update every server at once while the servers go
through the gate batch after batch. Pure asyncio: no Pulumi."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

__all__ = ["GATE_TIMEOUT", "RollGate", "RollStopped"]

GATE_TIMEOUT = 3600.0
"""Seconds a server waits for its turn before its update fails."""


class RollStopped(RuntimeError):
    """A server may not go out of service: an earlier server of the roll failed, or its turn never came."""


class RollGate:
    """`await gate.enter(tier, server)` until it is the server's turn; `await gate.leave(server)` once it
    serves again (`failed=why` when it does not: every later `enter` then raises `RollStopped`)."""

    def __init__(self, batches: Mapping[str, int], *, timeout: float = GATE_TIMEOUT) -> None:
        """`batches`: per tier, servers out of service at once."""
        self._batches = dict(batches)
        self._timeout = timeout
        self._changed = asyncio.Condition()
        self._tier: str | None = None
        self._out: set[str] = set()
        self._failed: str | None = None

    @property
    def out(self) -> frozenset[str]:
        """The servers out of service now."""
        return frozenset(self._out)

    async def enter(self, tier: str, server: str) -> None:
        """Wait until no other tier is out and fewer than the tier's batch are; then `server` is out."""

        def turn() -> bool:
            if self._failed is not None:
                return True
            return self._tier in (None, tier) and len(self._out) < self._batches.get(tier, 1)

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(turn), self._timeout)
            except TimeoutError as exc:
                busy = ", ".join(sorted(self._out))
                raise RollStopped(f"{server} waited {self._timeout:.0f} s for its turn ({busy} out)") from exc
            if self._failed is not None:
                raise RollStopped(f"the roll stopped before {server}: {self._failed}")
            self._tier = tier
            self._out.add(server)

    async def leave(self, server: str, *, failed: str | None = None) -> None:
        """`server` serves again (or, with `failed`, the roll stops there)."""
        async with self._changed:
            self._out.discard(server)
            if not self._out:
                self._tier = None
            if failed is not None and self._failed is None:
                self._failed = failed
            self._changed.notify_all()
