"""Writes: one durable transaction per request, its response stored under the `Idempotency-Key` and
replayed when the same request comes again."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import IdempotencyMismatch
from ._lifecycle import LifecycleMixin
from ._rows import Doc

__all__ = ["IdemRequest", "IdempotencyMixin", "Outcome", "WriteOp"]

WriteOp = Callable[[sqlite3.Connection, float], Doc | None]
"""The body of a write: given the connection and the time, the document to answer (None: no body)."""


@dataclass(slots=True)
class Outcome:
    """What a write answers: status, JSON body, and whether it replays a stored idempotent response."""

    status: int
    """HTTP status."""
    body: str
    """JSON body."""
    replayed: bool = False
    """True when served from the idempotency store."""


@dataclass(frozen=True, slots=True)
class IdemRequest:
    """An `Idempotency-Key` and the hash of the request it came with."""

    key: str
    """The caller's key."""
    request_hash: str
    """Hash of method, path and body."""


class IdempotencyMixin(LifecycleMixin):
    """Running a write (due transitions settled first) and keeping its answer for a repeated request."""

    def write(self, project_id: str, status: int, op: WriteOp, idem: IdemRequest | None = None) -> Outcome:
        """Run `op` in one durable transaction; with `idem`, store (or replay) the response in it too."""
        return self.store.transact(self.transaction(project_id, status, op, idem))

    def transaction(
        self, project_id: str, status: int, op: WriteOp, idem: IdemRequest | None = None
    ) -> Callable[[sqlite3.Connection], Outcome]:
        """The body of a write transaction (run by the store's writer; see `Store.submit`)."""

        def run(conn: sqlite3.Connection) -> Outcome:
            if idem is not None:
                stored = conn.execute(
                    "SELECT request_hash, status, body FROM idempotency WHERE project_id = ? AND key = ?",
                    (project_id, idem.key),
                ).fetchone()
                if stored is not None:
                    if stored[0] != idem.request_hash:
                        raise IdempotencyMismatch(
                            "Idempotency-Key was already used with a different request",
                            details={"field": "Idempotency-Key", "value": idem.key},
                        )
                    return Outcome(stored[1], stored[2], replayed=True)
            now = time.time()
            self.settle(conn, now)
            doc = op(conn, now)
            body = "" if doc is None else json.dumps(doc)
            if idem is not None:
                conn.execute(
                    "INSERT INTO idempotency(project_id, key, request_hash, status, body, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (project_id, idem.key, idem.request_hash, status, body, now),
                )
            return Outcome(status, body)

        return run
