"""Host work of instances (create, start, stop, reboot, delete of a machine host) outside the transaction.

The store has one writer, and a machine host takes a while to boot or stop: no host call may run in a write
transaction. A write that needs one records its intent (a `host_jobs` row; the instance enters its
transitional status with no pending transition, so nothing can complete it) and answers a `PendingOutcome`.
After the COMMIT a worker calls the host, then a second transaction records the result: the transition to
the final status starts (a create also stores the SSH endpoint), or after a failure the instance returns to
a clear state (a failed create is removed, a failed start or reboot is `stopped`, a failed stop or delete
goes back to where it was) and the host call that leaves nothing behind is made. The HTTP answer waits for
that second commit, so it is the answer of before, when the host call ran inside the transaction. Another
host write to the same instance waits for the work under way, then runs. At start, work that a crash
interrupted is done again (`recover_host_jobs`). `record` hosts do nothing: their calls stay inside the
transaction (one commit, as before).
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..errors import InvalidState, NotFound
from ..hosts import HostEndpoint
from ..store import Deferred
from ._common import BaseBackend, Doc, IdemRequest, Outcome, Row

__all__ = ["HOST_ACTIONS", "HostJob", "HostWorkMixin", "PendingOutcome"]

log = logging.getLogger("provisioning.emulator")

HOST_ACTIONS: dict[str, tuple[str, str]] = {
    "create": ("provisioning", "running"),
    "start": ("starting", "running"),
    "stop": ("stopping", "stopped"),
    "reboot": ("rebooting", "running"),
    "delete": ("deleting", "deleted"),
}
"""Host action → (status while the host works, status its transition completes to)."""

Fallback = tuple[str, str | None, float | None]
"""(status, next_status, ready_at) an instance returns to when its host work fails."""

_UNDO = {"create": "delete", "start": "stop", "reboot": "stop"}
"""Host action → the host call that leaves nothing behind after it failed."""


@dataclass(slots=True)
class HostJob:
    """One host call for an instance, and what to record once it returned."""

    action: str
    """A key of `HOST_ACTIONS`."""
    instance_id: str
    project_id: str
    fallback: Fallback | None
    """State after a failure; None: remove the instance (a create)."""
    idem_key: str | None = None
    """Idempotency key of the request: its stored answer follows the result."""
    retained_volume_id: str | None = None
    """Delete with keep_storage: the volume that keeps the disk."""
    spec: Doc | None = None
    """Create: what `hosts.create` gets."""
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    done: Future[None] = field(default_factory=Future)
    """Resolved once the result is committed (other writes to the instance wait for it)."""


class PendingOutcome(Outcome, Deferred):
    """The answer of a write whose host work runs after its commit: `finish()` does the work, records the
    result and returns the real answer (or raises the host's error)."""

    __slots__ = ("_then",)

    def __init__(self, provisional: Outcome, then: Callable[[], Outcome]) -> None:
        super().__init__(provisional.status, provisional.body, provisional.replayed)
        self._then = then

    def finish(self) -> Outcome:
        """Run the host work and record it."""
        return self._then()


class HostBusy(Exception):
    """The instance has host work under way: wait for `done`, then write again."""

    def __init__(self, done: Future[None]) -> None:
        super().__init__("host work under way")
        self.done = done


HostOp = Callable[[sqlite3.Connection, float, list[HostJob]], Doc]
"""A write's body that may start host work (it appends the job to the list)."""


class HostWorkMixin(BaseBackend):
    """Starting, running, recording and recovering host work."""

    # --- inside the write transaction --------------------------------------------------------------

    def host_write(
        self,
        project_id: str,
        status: int,
        op: HostOp,
        idem: IdemRequest | None = None,
        *,
        retry: Callable[[], Outcome] | None = None,
    ) -> Outcome:
        """`write` for an operation with host work: a `PendingOutcome` when the work is left for after the
        commit, or when the instance is busy (then `retry` runs once the work under way is recorded)."""

        def run(conn: sqlite3.Connection) -> Outcome:
            jobs: list[HostJob] = []
            try:
                outcome = self.transaction(project_id, status, lambda c, now: op(c, now, jobs), idem)(conn)
            except HostBusy as busy:
                if retry is None:
                    raise
                return PendingOutcome(Outcome(status, ""), partial(_after, busy.done, retry))
            if not jobs:
                return outcome
            return PendingOutcome(outcome, partial(self.run_host_job, jobs[0], status))

        return self.store.transact(run)

    def host_job(self, action: str, row: Row, idem: IdemRequest | None) -> HostJob:
        """The job of `action` on the instance `row` (its state now decides the fallback)."""
        fallback: Fallback | None = (row.status, row.next_status, row.ready_at)
        if action == "create":
            fallback = None
        elif action == "reboot":
            fallback = ("stopped", None, None)  # the host went down before it failed to come back
        return HostJob(action, row.id, row.doc["project_id"], fallback, idem.key if idem else None)

    def start_host_work(
        self, conn: sqlite3.Connection, now: float, row: Row, job: HostJob, pending: list[HostJob]
    ) -> None:
        """Put `row` in the transitional status of `job.action` (the caller writes it) and do the host work:
        at once with `record` hosts (the transition to the final status starts), else after the commit (the
        job is recorded and goes to `pending`; no transition until its result is)."""
        row.status = HOST_ACTIONS[job.action][0]
        if self.inline_hosts:
            self._set_result(row, job, self._call_host(job), now)
            return
        row.next_status = row.ready_at = None
        fallback = job.fallback or (None, None, None)
        conn.execute(
            f"INSERT INTO host_jobs({_JOB_COLUMNS}, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.id,
                job.token,
                job.action,
                job.project_id,
                job.idem_key,
                job.retained_volume_id,
                *fallback,
                now,
            ),
        )
        with self.host_waits_lock:
            self.host_waits[job.token] = job.done
        pending.append(job)

    def check_idle(self, conn: sqlite3.Connection, iid: str) -> None:
        """Raise `HostBusy` while instance `iid` has host work under way."""
        raw = conn.execute("SELECT token FROM host_jobs WHERE instance_id = ?", (iid,)).fetchone()
        if raw is None:
            return
        with self.host_waits_lock:
            done = self.host_waits.get(raw[0])
        if done is None:  # its result could not be recorded: the next start recovers it
            raise InvalidState(f"instance {iid!r} has unfinished host work", details={"id": iid})
        raise HostBusy(done)

    def host_spec(self, conn: sqlite3.Connection, doc: Doc) -> Doc:
        """What `hosts.create` needs: the instance and the CIDR of its network (the default range if none)."""
        cidr = str(self._default_pool)
        if doc.get("vpc"):
            network = self.find(conn, doc["project_id"], "network", doc["vpc"], 0.0)
            if network is not None:
                cidr = str(network.doc["cidr"])
        return {**doc, "vpc_cidr": cidr}

    def _set_result(self, row: Row, job: HostJob, endpoint: HostEndpoint | None, now: float) -> None:
        """Put a host call that returned into `row`: the SSH endpoint (create), the pending transition."""
        row.next_status, row.ready_at = HOST_ACTIONS[job.action][1], self.ready_at(now)
        if job.action == "create":
            endpoint = endpoint or HostEndpoint()
            row.doc.update(
                ssh_host=endpoint.ssh_host,
                ssh_port=endpoint.ssh_port,
                ssh_host_key_fingerprints=endpoint.fingerprints,
            )
            if self.faults.config.stuck_in_provisioning:
                row.ready_at = None

    # --- after the commit --------------------------------------------------------------------------

    def run_host_job(self, job: HostJob, status: int) -> Outcome:
        """Call the host, then record the result (its own transaction); the write's answer."""
        try:
            try:
                endpoint = self._call_host(job)
            except Exception:
                if job.action in _UNDO:
                    self._quietly(_UNDO[job.action], job.instance_id)
                self.store.transact(partial(self._record_failure, job))
                raise
            body = self.store.transact(partial(self._record_success, job, endpoint))
            if body is None:  # removed meanwhile (admin reset): so is its host
                self._quietly("delete", job.instance_id)
                raise NotFound(f"instance {job.instance_id!r} not found", details={"id": job.instance_id})
            return Outcome(status, body)
        finally:
            with self.host_waits_lock:
                self.host_waits.pop(job.token, None)
            job.done.set_result(None)

    def _call_host(self, job: HostJob) -> HostEndpoint | None:
        if job.action == "create":
            assert job.spec is not None
            return self.hosts.create(job.spec)
        if job.action == "delete":
            self.hosts.delete(job.instance_id, retained_volume_id=job.retained_volume_id)
        else:
            getattr(self.hosts, job.action)(job.instance_id)
        return None

    def _quietly(self, call: str, iid: str) -> None:
        """`hosts.<call>(iid)` (delete or stop) to clean up; a failure is logged, not raised."""
        try:
            getattr(self.hosts, call)(iid)
        except Exception:  # noqa: BLE001 - the error that led here is the one to answer
            log.exception("cleanup (%s) of the host of %s failed", call, iid)

    def _record_success(
        self, job: HostJob, endpoint: HostEndpoint | None, conn: sqlite3.Connection
    ) -> str | None:
        """Transaction 2 after a host call that returned: the answer's body (None: the instance is gone)."""
        now = time.time()
        row = self._close_job(conn, job, now)
        if row is None:
            return None
        self._set_result(row, job, endpoint, now)
        self.save(conn, row, now, touch=False)
        body = json.dumps(row.doc)
        if job.idem_key is not None:
            conn.execute(
                "UPDATE idempotency SET body = ? WHERE project_id = ? AND key = ?",
                (body, job.project_id, job.idem_key),
            )
        return body

    def _record_failure(self, job: HostJob, conn: sqlite3.Connection) -> None:
        """Transaction 2 after a failed host call: back to a clear state, no stored answer."""
        now = time.time()
        row = self._close_job(conn, job, now)
        if job.idem_key is not None:  # only successful answers are stored
            conn.execute(
                "DELETE FROM idempotency WHERE project_id = ? AND key = ?", (job.project_id, job.idem_key)
            )
        if row is None:
            return
        if job.fallback is None:
            self.delete_row(conn, row.id)
            return
        if job.retained_volume_id is not None:
            self.delete_row(conn, job.retained_volume_id)
            row.doc["retained_volume_id"] = None
        status, next_status, ready_at = job.fallback
        self.save(conn, row, now, status=status, next_status=next_status, ready_at=ready_at, transition=True)

    def _close_job(self, conn: sqlite3.Connection, job: HostJob, now: float) -> Row | None:
        """Drop the job's row; the instance's row (None when it is gone)."""
        conn.execute(
            "DELETE FROM host_jobs WHERE instance_id = ? AND token = ?", (job.instance_id, job.token)
        )
        return self.find(conn, job.project_id, "instance", job.instance_id, now)

    # --- at start ----------------------------------------------------------------------------------

    def recover_host_jobs(self) -> int:
        """Do again the host work a crash interrupted and record each result (a create starts over from a
        clean slate; the job of an instance gone only cleans up); before serving. Return how many."""
        raws = self.store.reader().execute(f"SELECT {_JOB_COLUMNS} FROM host_jobs").fetchall()
        for raw in raws:
            job = _job_of(raw)
            doc = self._live_doc(job)
            if doc is None or job.action == "create":
                self._quietly("delete", job.instance_id)
            if doc is None:
                self.store.transact(partial(self._record_failure, job))
                continue
            if job.action == "create":
                job.spec = self.host_spec(self.store.reader(), doc)
            try:
                self.run_host_job(job, 202)
            except Exception:  # noqa: BLE001 - recorded as a failure already; the next job goes on
                log.warning("host %s of %s failed again after a restart", job.action, job.instance_id)
        return len(raws)

    def _live_doc(self, job: HostJob) -> Doc | None:
        row = self.find(self.store.reader(), job.project_id, "instance", job.instance_id, time.time())
        return None if row is None else row.doc


_JOB_COLUMNS = (
    "instance_id, token, action, project_id, idem_key, retained_volume_id, fallback_status,"
    " fallback_next_status, fallback_ready_at"
)


def _job_of(raw: tuple[Any, ...]) -> HostJob:
    """The job of a `host_jobs` row (`_JOB_COLUMNS`)."""
    iid, token, action, project_id, idem_key, retained, status, next_status, ready_at = raw
    fallback = None if status is None else (status, next_status, ready_at)
    return HostJob(action, iid, project_id, fallback, idem_key, retained, token=token)


def _after(done: Future[None], retry: Callable[[], Outcome]) -> Outcome:
    """Wait for the host work under way on an instance, then write again."""
    done.result()
    return retry()
