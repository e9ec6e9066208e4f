"""SQLite persistence: one serialized writer connection, one reader connection per thread (WAL)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS projects(
    id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys(
    key_hash TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id));
CREATE TABLE IF NOT EXISTS resources(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL,
    next_status TEXT,
    ready_at REAL,
    body TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS resources_name ON resources(project_id, kind, scope, name);
CREATE INDEX IF NOT EXISTS resources_list ON resources(project_id, kind, seq);
CREATE INDEX IF NOT EXISTS resources_due ON resources(ready_at) WHERE ready_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS ips(
    pool TEXT NOT NULL, ip INTEGER NOT NULL, owner_id TEXT NOT NULL, PRIMARY KEY(pool, ip));
CREATE INDEX IF NOT EXISTS ips_owner ON ips(owner_id);
CREATE TABLE IF NOT EXISTS idempotency(
    project_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
    status INTEGER NOT NULL, body TEXT NOT NULL, created_at REAL NOT NULL,
    PRIMARY KEY(project_id, key));
"""


class Store:
    """The state file. Writes are serialized through `write()` (one transaction each, durable on commit)."""

    def __init__(self, path: str, *, synchronous: str = "FULL") -> None:
        if path == ":memory:":
            # A shared-cache in-memory database so that every thread's connection sees the same data.
            path = f"file:cc-{id(self)}?mode=memory&cache=shared"
        self._path = path
        self._synchronous = synchronous
        self._lock = threading.Lock()
        self._local = threading.local()
        self._writer = self._connect()
        self._writer.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, uri=self._path.startswith("file:")
        )
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: every commit is fsynced before the client gets its answer (survives power loss too).
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def reader(self) -> sqlite3.Connection:
        """This thread's read connection (autocommit: every statement sees the latest commit)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One serialized write transaction: committed (durably) on success, rolled back on error."""
        with self._lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the writer (reader connections close with their threads)."""
        with self._lock:
            self._writer.close()
