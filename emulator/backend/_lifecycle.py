"""The lifecycle state machine: when a transition completes, settling due ones, the background sweep."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from ..faults import Faults
from ..settings import LifecycleMode
from ._rows import Row, RowsMixin

__all__ = ["Lifecycle", "LifecycleMixin"]


@dataclass(slots=True)
class Lifecycle:
    """How transitions progress."""

    mode: LifecycleMode
    """immediate | timed | manual."""
    boot_delay_s: float
    """Delay of timed transitions."""


class LifecycleMixin(RowsMixin):
    """Starting and completing transitions (`provisioning` → `running`, `deleting` → gone, …)."""

    lifecycle: Lifecycle
    faults: Faults

    def ready_at(self, now: float) -> float | None:
        """When a transition started now completes (None: waits for the admin advance route)."""
        if self.lifecycle.mode == "manual":
            return None
        if self.lifecycle.mode == "immediate":
            return now
        delay = self.faults.config.boot_delay_s
        return now + (self.lifecycle.boot_delay_s if delay is None else delay)

    def transition(self, conn: sqlite3.Connection, row: Row, now: float, status: str, target: str) -> None:
        """Enter `status`, completing to `target` per the lifecycle mode."""
        self.save(
            conn, row, now, status=status, next_status=target, ready_at=self.ready_at(now), transition=True
        )

    def settle(self, conn: sqlite3.Connection, now: float) -> int:
        """Apply every due transition (inside a write transaction); return how many rows changed."""
        gone = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM resources WHERE ready_at <= ? AND next_status = 'deleted'", (now,)
            )
        ]
        for rid in gone:
            self.delete_row(conn, rid)
        cur = conn.execute(
            "UPDATE resources SET status = next_status, next_status = NULL, ready_at = NULL,"
            " body = json_set(body, '$.updated_at', strftime('%Y-%m-%dT%H:%M:%fZ', ready_at, 'unixepoch'))"
            " WHERE ready_at <= ?",
            (now,),
        )
        return len(gone) + cur.rowcount

    def sweep(self) -> int:
        """Settle due transitions if there are any (the background sweeper calls this)."""
        now = time.time()
        due = (
            self.store.reader()
            .execute("SELECT 1 FROM resources WHERE ready_at <= ? LIMIT 1", (now,))
            .fetchone()
        )
        if due is None:
            return 0
        with self.store.write() as conn:
            return self.settle(conn, now)
