"""Projects and API keys (stored as sha256), plus the admin operations (reset, advance, gauges)."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from typing import Any

from ..errors import Conflict, InvalidState, NotFound
from ._common import BaseBackend, iso, new_id

__all__ = ["ProjectsMixin", "hash_key"]


def hash_key(api_key: str) -> str:
    """sha256 of a key (keys are high-entropy random strings, so a plain hash is enough)."""
    return hashlib.sha256(api_key.encode("utf-8", "surrogatepass")).hexdigest()


class ProjectsMixin(BaseBackend):
    """Projects, keys and admin operations."""

    _key_cache: dict[str, str]
    """key hash → project id of keys seen (keys are never deleted; `ensure_project` drops a rebound one)."""

    def project_of_key(self, api_key: str) -> str | None:
        """The project that owns `api_key`, or None (cached in memory: no SQLite read per request)."""
        digest = hash_key(api_key)
        project = self._key_cache.get(digest)
        if project is None:
            row = (
                self.store.reader()
                .execute("SELECT project_id FROM api_keys WHERE key_hash = ?", (digest,))
                .fetchone()
            )
            if row is None:
                return None
            project = self._key_cache[digest] = row[0]
        return project

    def ensure_project(self, name: str, api_key: str) -> str:
        """Create project `name` if missing and make sure `api_key` opens it (bootstrap)."""
        with self.store.write() as conn:
            row = conn.execute("SELECT id FROM projects WHERE name = ?", (name,)).fetchone()
            pid = row[0] if row else self._insert_project(conn, name)
            conn.execute(
                "INSERT OR REPLACE INTO api_keys(key_hash, project_id) VALUES (?, ?)",
                (hash_key(api_key), pid),
            )
        self._key_cache.pop(hash_key(api_key), None)  # the key may now open another project
        return str(pid)

    def create_project(self, name: str) -> tuple[str, str]:
        """A new project and its first API key (returned once, stored hashed)."""
        api_key = "cc_" + secrets.token_urlsafe(32)
        with self.store.write() as conn:
            if conn.execute("SELECT 1 FROM projects WHERE name = ?", (name,)).fetchone():
                raise Conflict(f"a project named {name!r} already exists", details={"field": "name"})
            pid = self._insert_project(conn, name)
            conn.execute("INSERT INTO api_keys(key_hash, project_id) VALUES (?, ?)", (hash_key(api_key), pid))
        return pid, api_key

    def _insert_project(self, conn: sqlite3.Connection, name: str) -> str:
        pid = new_id("p")
        conn.execute(
            "INSERT INTO projects(id, name, created_at) VALUES (?, ?, ?)", (pid, name, iso(time.time()))
        )
        return pid

    def reset_project(self, project_id: str) -> int:
        """Remove every resource (and idempotency record) of the project; return how many resources."""
        with self.store.write() as conn:
            if conn.execute("SELECT 1 FROM projects WHERE id = ?", (project_id,)).fetchone() is None:
                raise NotFound(f"project {project_id!r} not found", details={"id": project_id})
            conn.execute(
                "DELETE FROM ips WHERE owner_id IN (SELECT id FROM resources WHERE project_id = ?)",
                (project_id,),
            )
            removed = conn.execute("DELETE FROM resources WHERE project_id = ?", (project_id,)).rowcount
            conn.execute("DELETE FROM idempotency WHERE project_id = ?", (project_id,))
        return removed

    def advance(self, rid: str) -> dict[str, Any]:
        """Complete the pending transition of resource `rid` now (manual lifecycle)."""
        with self.store.write() as conn:
            now = time.time()
            self.settle(conn, now)
            raw = conn.execute("SELECT status, next_status FROM resources WHERE id = ?", (rid,)).fetchone()
            if raw is None:
                raise NotFound(f"resource {rid!r} not found", details={"id": rid})
            if raw[1] is None:
                raise InvalidState(
                    f"resource {rid!r} has no pending transition (it is {raw[0]})", details={"status": raw[0]}
                )
            conn.execute("UPDATE resources SET ready_at = ? WHERE id = ?", (now, rid))
            self.settle(conn, now)
        return {"id": rid, "status": raw[1]}

    def gauges(self) -> list[tuple[str, str, int]]:
        """(kind, effective status, count) over every project, for /metrics."""
        now = time.time()
        return [
            (kind, status, count)
            for kind, status, count in self.store.reader().execute(
                "SELECT kind, CASE WHEN next_status IS NOT NULL AND ready_at <= ?"
                " THEN next_status ELSE status END"
                " AS s, COUNT(*) FROM resources GROUP BY kind, s",
                (now,),
            )
            if status != "deleted"
        ]
