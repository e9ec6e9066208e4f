"""Internal: in the dynamic-provider host, a Create of a resource whose Delete is still running waits for it.

Why: a delete-before-replace replacement deletes the resources that depend on the replaced one first. When
the program registers such a dependent again, the engine (3.259) starts its replacement's Create at once,
without waiting for the dependent's Delete to finish. Two things then go wrong: the new resource exists
beside the old one, which delete-before-replace promises never to happen (a unique name collides); and the
Create completes before the engine marks the old state pending replacement, so the old state is never
dropped and the stack's checkpoint holds the old and the new state, neither marked for deletion ("snapshot
integrity failure … duplicate resource"). Seen with a volume attachment moved to another volume while its
old volume is replaced: a slow detach is enough. Waiting restores the order the replacement promised.

A resource's Delete and Create share its URN; the host serves both (one process per provider).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import Any

__all__ = ["WAIT_LIMIT", "after_running_delete", "delete_finished", "delete_started", "deleting"]

WAIT_LIMIT = 3600.0
"""Seconds a Create waits at most for a running Delete of its resource."""
SETTLE = 0.1
"""Seconds a Create waits after that Delete returned: time for the engine to record the delete."""

_log = logging.getLogger("provisioning.host")
_running: Counter[str] = Counter()
_changed = threading.Condition()


def delete_started(request: Any) -> Any:
    """Record that a Delete of `request.urn` runs (the request goes on unchanged)."""
    with _changed:
        _running[request.urn] += 1
    return request


def delete_finished(request: Any) -> None:
    """Record that a Delete of `request.urn` returned or failed."""
    with _changed:
        _running[request.urn] -= 1
        if _running[request.urn] <= 0:
            del _running[request.urn]
        _changed.notify_all()


def deleting(urn: str) -> bool:
    """Whether a Delete of `urn` runs in this process now."""
    with _changed:
        return urn in _running


def after_running_delete(request: Any, *, limit: float = WAIT_LIMIT) -> Any:
    """Hold a Create of `request.urn` until no Delete of it runs (at most `limit` seconds), then settle."""
    with _changed:
        if request.urn not in _running:
            return request
        _log.info("create of %s waits for the delete of the state it replaces", request.urn)
        _changed.wait_for(lambda: request.urn not in _running, timeout=limit)
    time.sleep(SETTLE)
    return request
