"""SQLite persistence: one serialized writer connection, one reader connection per thread (WAL).

Writes of the API go through `submit()`: one writer thread takes every pending write, runs each in its own
SAVEPOINT of one transaction and commits them together (group commit: one fsync for the batch), then
answers each caller. A write is acknowledged only after the COMMIT that holds it returned, so nothing
acknowledged is lost on a crash; a failing write rolls back to its savepoint and fails alone.

A write whose answer needs slow work outside the database (a machine host boot) returns a `Deferred`: the
transaction records the intent, and after its COMMIT `Deferred.finish()` runs on a worker thread (never the
writer), its value or error being the write's answer. The writer moves on to other writes meanwhile.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar, cast

T = TypeVar("T")

_MAX_BATCH = 256
"""Writes per group commit at most."""
_IDLE_S = 5.0
"""The writer thread exits after this long without work (and starts again on the next write)."""
_FINISHERS = 32
"""Worker threads running `Deferred.finish()` (each waits at most on work queued before its own)."""

__all__ = ["Deferred", "Store"]

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
-- Host work of an instance under way outside the transactions (emulator/backend/_host_work.py).
CREATE TABLE IF NOT EXISTS host_jobs(
    instance_id TEXT PRIMARY KEY, token TEXT NOT NULL, action TEXT NOT NULL, project_id TEXT NOT NULL,
    idem_key TEXT, retained_volume_id TEXT,
    fallback_status TEXT, fallback_next_status TEXT, fallback_ready_at REAL, created_at REAL NOT NULL);
"""


class Deferred:
    """Base of a write's result that is final only after work outside the transaction.

    The store calls `finish()` once the COMMIT holding the write returned, on a worker thread (or on the
    thread of a blocking `transact`), and answers the write with its value or error.
    """

    __slots__ = ()

    def finish(self) -> object:
        """The write's final answer (runs after the COMMIT, never on the writer thread)."""
        raise NotImplementedError


class _Raw(Future[Any]):
    """Waiter of a blocking `transact`: receives a `Deferred` unfinished (its caller finishes it)."""


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
        self._queue: queue.SimpleQueue[tuple[Callable[[sqlite3.Connection], Any], Any]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._closed = False
        self._finishers = ThreadPoolExecutor(_FINISHERS, thread_name_prefix="cc-store-finish")

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

    # --- group commit ---------------------------------------------------------------------------------

    def submit(self, fn: Callable[[sqlite3.Connection], T]) -> Future[T]:
        """Run `fn(conn)` in a write transaction on the writer thread; the future resolves after COMMIT
        (a `Deferred` result: with what its `finish()` returns)."""
        fut: Future[T] = Future()
        self._enqueue(fn, fut)
        return fut

    def transact(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`submit` and wait (a `Deferred` result is finished on this thread); on the writer thread itself
        (a write calling a write), run `fn` inline in the transaction under way and return what it returns,
        a `Deferred` unfinished."""
        if threading.current_thread() is self._thread:
            return fn(self._writer)
        raw = _Raw()
        self._enqueue(fn, raw)
        value = raw.result()
        return cast(T, value.finish()) if isinstance(value, Deferred) else cast(T, value)

    async def transact_async(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`submit` and await from the event loop (no worker thread blocked while waiting)."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        self._enqueue(fn, (loop, fut))
        return await fut

    def _enqueue(self, fn: Callable[[sqlite3.Connection], Any], waiter: Any) -> None:
        if self._closed:
            raise RuntimeError("store is closed")
        self._queue.put((fn, waiter))
        with self._thread_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._writer_loop, name="cc-store-writer", daemon=True)
                self._thread.start()

    def _writer_loop(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=_IDLE_S)
            except queue.Empty:
                with self._thread_lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            if first[0] is None:  # close()
                with self._thread_lock:
                    self._thread = None
                return
            batch = [first]
            while len(batch) < _MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item[0] is None:
                    self._queue.put(item)  # handled after this batch
                    break
                batch.append(item)
            try:
                results = self._run_batch(batch)
            except BaseException as exc:  # noqa: BLE001 - the writer thread must not die with waiters
                results = [(waiter, None, exc) for _, waiter in batch]
            _deliver([r for r in results if not self._finish_later(*r)])

    def _finish_later(self, waiter: Any, value: Any, exc: BaseException | None) -> bool:
        """Hand a committed `Deferred` to a worker, which answers `waiter`; False when there is none."""
        if exc is not None or not isinstance(value, Deferred) or isinstance(waiter, _Raw):
            return False
        try:
            done = self._finishers.submit(value.finish)
        except RuntimeError as err:  # shut down (close): nobody will finish it
            _deliver([(waiter, None, err)])
            return True
        done.add_done_callback(lambda f: _deliver([(waiter, *_outcome(f))]))
        return True

    def _run_batch(
        self, batch: list[tuple[Callable[[sqlite3.Connection], Any], Any]]
    ) -> list[tuple[Any, Any, BaseException | None]]:
        results: list[tuple[Any, Any, BaseException | None]] = []
        with self._lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
            except BaseException as exc:  # noqa: BLE001 - every waiter learns of it
                return [(waiter, None, exc) for _, waiter in batch]
            try:
                for fn, waiter in batch:
                    conn.execute("SAVEPOINT op")
                    try:
                        value = fn(conn)
                    except Exception as exc:  # noqa: BLE001 - the write fails alone
                        conn.execute("ROLLBACK TO op")
                        conn.execute("RELEASE op")
                        results.append((waiter, None, exc))
                    else:
                        conn.execute("RELEASE op")
                        results.append((waiter, value, None))
                conn.execute("COMMIT")
            except BaseException as exc:  # noqa: BLE001 - nothing of the batch is durable: all fail
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                return [(waiter, None, exc) for _, waiter in batch]
        return results

    def close(self) -> None:
        """Let the `Deferred` work under way end, stop the writer thread, close the writer (reader connections
        close with their threads)."""
        self._finishers.shutdown(wait=True)
        self._closed = True
        with self._thread_lock:
            thread = self._thread
        if thread is not None:
            self._queue.put((None, None))  # type: ignore[arg-type]
            thread.join(timeout=10)
        with self._lock:
            self._writer.close()


def _outcome(fut: Future[Any]) -> tuple[Any, BaseException | None]:
    exc = fut.exception()
    return (None, exc) if exc is not None else (fut.result(), None)


def _deliver(results: list[tuple[Any, Any, BaseException | None]]) -> None:
    """Answer the waiters of a batch: thread futures directly, event loop futures once per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Any, Any, BaseException | None]]] = {}
    for waiter, value, exc in results:
        if isinstance(waiter, Future):
            if exc is None:
                waiter.set_result(value)
            else:
                waiter.set_exception(exc)
        else:
            by_loop.setdefault(waiter[0], []).append((waiter[1], value, exc))
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, items)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass


def _resolve(items: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for fut, value, exc in items:
        if fut.cancelled():
            continue
        if exc is None:
            fut.set_result(value)
        else:
            fut.set_exception(exc)
