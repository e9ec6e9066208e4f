"""Resource rows: read one (with its effective status), insert, save, remove; names unique in their scope."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import Conflict, NotFound
from ..store import Store

__all__ = ["ROW_COLUMNS", "Doc", "Row", "RowsMixin", "iso", "new_id"]

Doc = dict[str, Any]
"""A resource's public JSON document."""

ROW_COLUMNS = "id, status, next_status, ready_at, body"
"""The columns `RowsMixin._row` reads, in its order."""


def iso(ts: float) -> str:
    """RFC 3339 UTC with milliseconds (`2024-01-02T03:04:05.678Z`)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_id(prefix: str) -> str:
    """A fresh resource id (`i-0123456789abcdef`)."""
    return f"{prefix}-{secrets.token_hex(8)}"


@dataclass(slots=True)
class Row:
    """A resource row with its effective status at read time."""

    id: str
    status: str
    next_status: str | None
    ready_at: float | None
    doc: Doc


class RowsMixin:
    """Reading and writing resource rows."""

    store: Store

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

    def delete_row(self, conn: sqlite3.Connection, rid: str) -> None:
        """Remove a row at once, releasing its addresses."""
        conn.execute("DELETE FROM ips WHERE owner_id = ?", (rid,))
        conn.execute("DELETE FROM resources WHERE id = ?", (rid,))
