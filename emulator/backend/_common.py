"""Shared machinery of the backend: rows, lazy lifecycle settling, idempotent writes, IP pools, pages."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import Conflict, IdempotencyMismatch, NotFound, ValidationFailed
from ..faults import Faults
from ..hosts import HostBackend, RecordHostBackend
from ..settings import LifecycleMode, Settings
from ..store import Store

__all__ = ["ROW_COLUMNS", "BaseBackend", "IdemRequest", "Lifecycle", "Outcome", "Row", "iso", "new_id"]

Doc = dict[str, Any]

# Effective status of a row at time `?`: a due transition counts as done even before the sweeper runs.
EFFECTIVE = "(CASE WHEN next_status IS NOT NULL AND ready_at <= ? THEN next_status ELSE status END)"
ROW_COLUMNS = "id, status, next_status, ready_at, body"
"""The columns `BaseBackend._row` reads, in its order."""


def iso(ts: float) -> str:
    """RFC 3339 UTC with milliseconds (`2024-01-02T03:04:05.678Z`)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_id(prefix: str) -> str:
    """A fresh resource id (`i-0123456789abcdef`)."""
    return f"{prefix}-{secrets.token_hex(8)}"


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


@dataclass(slots=True)
class Lifecycle:
    """How transitions progress."""

    mode: LifecycleMode
    """immediate | timed | manual."""
    boot_delay_s: float
    """Delay of timed transitions."""


@dataclass(slots=True)
class Row:
    """A resource row with its effective status at read time."""

    id: str
    status: str
    next_status: str | None
    ready_at: float | None
    doc: Doc


class BaseBackend:
    """State and rules common to every resource kind."""

    def __init__(self, settings: Settings, store: Store, hosts: HostBackend, faults: Faults) -> None:
        self.settings = settings
        self.store = store
        self.hosts = hosts
        self.faults = faults
        self.lifecycle = Lifecycle(settings.lifecycle, settings.boot_delay_s)
        # `record` host calls return at once and do nothing: they run inside the transaction.
        self.inline_hosts = isinstance(hosts, RecordHostBackend)
        # token of each host job under way → done once its result is committed (see `_host_work`)
        self.host_waits: dict[str, Future[None]] = {}
        self.host_waits_lock = threading.Lock()
        self._public_pool = ipaddress.IPv4Network(settings.public_pool)
        self._default_pool = ipaddress.IPv4Network(settings.default_private_cidr)

    def host_hook(self, name: str, *args: str) -> None:
        """Call the host backend's optional hook `name` inside the write (an error there undoes it):
        `attach_volume`, `detach_volume` (mount or unmount), `delete_volume` (a retained disk's files),
        `resize` (the next boot's limits)."""
        hook = getattr(self.hosts, name, None)
        if hook is not None:
            hook(*args)

    # --- lifecycle --------------------------------------------------------------------------------

    def ready_at(self, now: float) -> float | None:
        """When a transition started now completes (None: waits for the admin advance route)."""
        if self.lifecycle.mode == "manual":
            return None
        if self.lifecycle.mode == "immediate":
            return now
        delay = self.faults.config.boot_delay_s
        return now + (self.lifecycle.boot_delay_s if delay is None else delay)

    def settle(self, conn: sqlite3.Connection, now: float) -> int:
        """Apply every due transition (inside a write transaction); return how many rows changed."""
        gone = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM resources WHERE ready_at <= ? AND next_status = 'deleted'", (now,)
            )
        ]
        for rid in gone:
            conn.execute("DELETE FROM ips WHERE owner_id = ?", (rid,))
            conn.execute("DELETE FROM resources WHERE id = ?", (rid,))
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

    # --- rows -------------------------------------------------------------------------------------

    @staticmethod
    def _row(raw: tuple[Any, ...], now: float) -> Row:
        rid, status, next_status, ready_at, body = raw
        doc = json.loads(body)
        if next_status is not None and ready_at is not None and ready_at <= now:
            status, next_status, doc["updated_at"] = next_status, None, iso(ready_at)
            ready_at = None
        doc["status"] = status
        return Row(rid, status, next_status, ready_at, doc)

    def find(self, conn: sqlite3.Connection, project_id: str, kind: str, rid: str, now: float) -> Row | None:
        """The row `rid` of `kind` in the project, or None (also when it is effectively deleted)."""
        raw = conn.execute(
            f"SELECT {ROW_COLUMNS} FROM resources WHERE id = ? AND project_id = ? AND kind = ?",
            (rid, project_id, kind),
        ).fetchone()
        if raw is None:
            return None
        row = self._row(raw, now)
        return None if row.status == "deleted" else row

    def get(self, conn: sqlite3.Connection, project_id: str, kind: str, rid: str, now: float) -> Row:
        """Like `find`, raising `NotFound`."""
        row = self.find(conn, project_id, kind, rid, now)
        if row is None:
            raise NotFound(f"{kind.replace('_', ' ')} {rid!r} not found", details={"id": rid, "kind": kind})
        return row

    def get_json(self, project_id: str, kind: str, rid: str) -> str:
        """GET one resource: its public JSON."""
        return json.dumps(self.get(self.store.reader(), project_id, kind, rid, time.time()).doc)

    def insert(
        self,
        conn: sqlite3.Connection,
        kind: str,
        doc: Doc,
        *,
        scope: str,
        next_status: str | None,
        ready_at: float | None,
    ) -> None:
        """Insert a new row; a name clash in `scope` is a 409 naming the field."""
        status = doc.pop("status")
        try:
            conn.execute(
                "INSERT INTO resources(id, project_id, kind, name, scope, status, next_status, ready_at,"
                " body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc["id"],
                    doc["project_id"],
                    kind,
                    doc["name"],
                    scope,
                    status,
                    next_status,
                    ready_at,
                    json.dumps(doc),
                ),
            )
        finally:
            doc["status"] = status

    def name_taken(self, conn: sqlite3.Connection, project_id: str, kind: str, scope: str, name: str) -> bool:
        """Whether a live row of `kind` already has `name` in `scope`."""
        return (
            conn.execute(
                "SELECT 1 FROM resources WHERE project_id = ? AND kind = ? AND scope = ? AND name = ?",
                (project_id, kind, scope, name),
            ).fetchone()
            is not None
        )

    def check_name(self, conn: sqlite3.Connection, project_id: str, kind: str, scope: str, name: str) -> None:
        """409 `conflict` with `details.field = "name"` when the name is taken."""
        if self.name_taken(conn, project_id, kind, scope, name):
            where = f" in {scope}" if scope else ""
            raise Conflict(
                f"a {kind.replace('_', ' ')} named {name!r} already exists{where}",
                details={"field": "name", "value": name},
            )

    def save(
        self,
        conn: sqlite3.Connection,
        row: Row,
        now: float,
        *,
        status: str | None = None,
        next_status: str | None = None,
        ready_at: float | None = None,
        transition: bool = False,
        touch: bool = True,
    ) -> None:
        """Write back `row.doc` (and a new status / pending transition when `transition`); `touch` sets
        `updated_at` to `now`."""
        if touch:
            row.doc["updated_at"] = iso(now)
        if transition:
            row.status = status or row.status
            row.next_status, row.ready_at = next_status, ready_at
        row.doc["status"] = row.status
        body = {k: v for k, v in row.doc.items() if k != "status"}
        conn.execute(
            "UPDATE resources SET status = ?, next_status = ?, ready_at = ?, body = ? WHERE id = ?",
            (row.status, row.next_status, row.ready_at, json.dumps(body), row.id),
        )

    def transition(self, conn: sqlite3.Connection, row: Row, now: float, status: str, target: str) -> None:
        """Enter `status`, completing to `target` per the lifecycle mode."""
        self.save(
            conn, row, now, status=status, next_status=target, ready_at=self.ready_at(now), transition=True
        )

    def delete_row(self, conn: sqlite3.Connection, rid: str) -> None:
        """Remove a row at once, releasing its addresses."""
        conn.execute("DELETE FROM ips WHERE owner_id = ?", (rid,))
        conn.execute("DELETE FROM resources WHERE id = ?", (rid,))

    # --- writes -----------------------------------------------------------------------------------

    def write(
        self,
        project_id: str,
        status: int,
        op: Callable[[sqlite3.Connection, float], Doc | None],
        idem: IdemRequest | None = None,
    ) -> Outcome:
        """Run `op` in one durable transaction; with `idem`, store (or replay) the response in it too."""
        return self.store.transact(self.transaction(project_id, status, op, idem))

    def transaction(
        self,
        project_id: str,
        status: int,
        op: Callable[[sqlite3.Connection, float], Doc | None],
        idem: IdemRequest | None = None,
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

    # --- addresses --------------------------------------------------------------------------------

    def allocate_ip(
        self, conn: sqlite3.Connection, pool: str, cidr: ipaddress.IPv4Network, owner: str, field: str
    ) -> str:
        """Next free host address of `cidr` in `pool` (skipping network, gateway `.1` and broadcast)."""
        first = int(cidr.network_address) + 2
        last = int(cidr.broadcast_address) - 1
        top = conn.execute("SELECT MAX(ip) FROM ips WHERE pool = ?", (pool,)).fetchone()[0]
        candidate: int | None = first if top is None else top + 1
        if candidate is not None and candidate > last:
            candidate = None
            expected = first
            for (ip,) in conn.execute("SELECT ip FROM ips WHERE pool = ? ORDER BY ip", (pool,)):
                if ip > expected:
                    candidate = expected
                    break
                expected = ip + 1
        if candidate is None or candidate < first:
            raise Conflict(f"no free address left in {cidr}", details={"field": field, "value": str(cidr)})
        conn.execute("INSERT INTO ips(pool, ip, owner_id) VALUES (?, ?, ?)", (pool, candidate, owner))
        return str(ipaddress.IPv4Address(candidate))

    def allocate_public_ip(self, conn: sqlite3.Connection, owner: str) -> str:
        """An address of the public pool (a record only in `record` host mode)."""
        return self.allocate_ip(conn, "public", self._public_pool, owner, "external_ip")

    # --- lists ------------------------------------------------------------------------------------

    def list_json(
        self,
        project_id: str,
        kind: str,
        *,
        page_size: int,
        page_token: str | None,
        name: str | None = None,
        status: str | None = None,
        labels: list[tuple[str, str]] | None = None,
        where: list[tuple[str, Any]] | None = None,
    ) -> str:
        """One page of `kind` in the project, oldest first, as JSON `{items, next_page_token}`."""
        now = time.time()
        after = _decode_token(page_token)
        sql = [f"SELECT {ROW_COLUMNS}, seq FROM resources WHERE project_id = ? AND kind = ? AND seq > ?"]
        args: list[Any] = [project_id, kind, after]
        sql.append(f"AND {EFFECTIVE} != 'deleted'")
        args.append(now)
        if name is not None:
            sql.append("AND name = ?")
            args.append(name)
        if status is not None:
            sql.append(f"AND {EFFECTIVE} = ?")
            args += [now, status]
        for key, value in labels or []:
            sql.append("AND EXISTS (SELECT 1 FROM json_each(body, '$.labels') WHERE key = ? AND value = ?)")
            args += [key, value]
        for clause, value in where or []:
            sql.append(f"AND {clause}")
            args.append(value)
        sql.append("ORDER BY seq LIMIT ?")
        args.append(page_size + 1)
        raws = self.store.reader().execute(" ".join(sql), args).fetchall()
        more = len(raws) > page_size
        raws = raws[:page_size]
        items = [self._row(raw[:5], now).doc for raw in raws]
        token = _encode_token(raws[-1][5]) if more and raws else None
        return json.dumps({"items": items, "next_page_token": token})


def _encode_token(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def _decode_token(token: str | None) -> int:
    if token is None or token == "":
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if not raw.startswith("s") or not raw[1:].isdigit() or len(raw) > 20:
            raise ValueError(raw)
        return int(raw[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed.field(
            "page_token", token, "opaque_token", "page_token is not a token this API handed out"
        ) from None
