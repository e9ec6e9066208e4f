"""webapp: a small HTTP application backed by a database, shipped with the WebApp task service.

Run by /usr/bin/python3 with the standard library and the OS's database driver (python3-psycopg2 for
PostgreSQL, python3-pymysql for MariaDB/MySQL); its settings come from the environment (`WEBAPP_*`, see
`Settings`), the database password from a file. Paths:

    GET  /            a page naming app, version and host; records a visit and reads the count back
    GET  <health>     200 when the database answers; 503 while draining or when it does not (the
                      paths in `WEBAPP_HEALTH_PATHS_FILE` when it is set, else `WEBAPP_HEALTH_PATH`)
    GET  /version     {"app", "version", "environment", "hostname"}
    GET  /metrics     Prometheus text: requests by path and status, database up, process CPU
    GET  /work?ms=N   burns N ms of CPU (at most 2000): load for autoscaling tests
    POST /items       {"name": ...} stored; 201 with {"id", "name"}
    GET  /items       the latest items (?limit=N, at most 100)

Draining: while the file `WEBAPP_DRAIN_FILE` exists the health path answers 503 (everything else keeps
working), so load balancers take the server out of their pool before a restart.

Health paths: the file `WEBAPP_HEALTH_PATHS_FILE` (one path a line) is read again whenever it changes, so a
new health path is answered, beside the previous one, without a restart: load balancers checking either
path keep the server in their pool while they switch over."""

from __future__ import annotations

import html
import json
import os
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["Database", "Metrics", "Settings", "WORK_LIMIT_MS", "make_server", "main"]

WORK_LIMIT_MS = 2000
"""The most CPU one /work request burns."""
ITEMS_LIMIT = 100
"""The most items one GET /items returns."""
NAME_LIMIT = 200
"""The longest item name."""

SCHEMA = {
    "postgresql": (
        "CREATE TABLE IF NOT EXISTS webapp_visits (id BIGSERIAL PRIMARY KEY, hostname VARCHAR(255) NOT NULL,"
        " version VARCHAR(64) NOT NULL, visited_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        "CREATE TABLE IF NOT EXISTS webapp_items (id BIGSERIAL PRIMARY KEY, name VARCHAR(200) NOT NULL,"
        " created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    ),
    "mysql": (
        "CREATE TABLE IF NOT EXISTS webapp_visits (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
        " hostname VARCHAR(255) NOT NULL, version VARCHAR(64) NOT NULL,"
        " visited_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        "CREATE TABLE IF NOT EXISTS webapp_items (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
        " name VARCHAR(200) NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    ),
}
"""The application's tables, created when missing."""


@dataclass(frozen=True)
class Settings:
    """What the application is told, from `WEBAPP_*` environment variables."""

    app_name: str = "webapp"
    environment: str = "production"
    version: str = "latest"
    bind: str = "0.0.0.0"
    port: int = 8080
    health_path: str = "/health"
    health_paths_file: str = ""
    database_kind: str = "postgresql"
    database_host: str = "127.0.0.1"
    database_port: int = 5432
    database_name: str = "app"
    database_user: str = "app"
    database_password_file: str = ""
    drain_file: str = "/run/webapp/draining"

    @classmethod
    def from_environment(cls, env: dict[str, str] | None = None) -> Settings:
        """Settings from `WEBAPP_<FIELD>` variables (upper case); missing ones keep their defaults."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for name, default in cls().__dict__.items():
            raw = env.get(f"WEBAPP_{name.upper()}")
            if raw is not None:
                values[name] = int(raw) if isinstance(default, int) else raw
        return cls(**values)

    def password(self) -> str:
        """The database password, read from its file (empty when there is none)."""
        if not self.database_password_file:
            return ""
        with open(self.database_password_file, encoding="utf-8") as file:
            return file.read().rstrip("\n")


class DatabaseError(Exception):
    """The database did not answer or refused a statement."""


class Database:
    """A few pooled connections to PostgreSQL (psycopg2) or MariaDB/MySQL (pymysql); creates the tables on
    first use."""

    def __init__(self, settings: Settings, *, pool_size: int = 8) -> None:
        self.settings = settings
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue(maxsize=pool_size)
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def _connect(self) -> Any:
        s = self.settings
        if s.database_kind == "postgresql":
            import psycopg2

            connection = psycopg2.connect(
                host=s.database_host, port=s.database_port, dbname=s.database_name,
                user=s.database_user, password=s.password(), connect_timeout=3,
                application_name=s.app_name[:63],
            )  # fmt: skip
            connection.autocommit = True
            return connection
        if s.database_kind == "mysql":
            import pymysql

            return pymysql.connect(
                host=s.database_host, port=s.database_port, database=s.database_name,
                user=s.database_user, password=s.password(), connect_timeout=3, read_timeout=10,
                write_timeout=10, autocommit=True,
            )  # fmt: skip
        raise DatabaseError(f"unknown database kind {s.database_kind!r}; known: postgresql, mysql")

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        """A cursor on a pooled connection. A connection that failed is dropped, and so are the idle ones (a
        restarted database leaves them all broken): the next call connects afresh."""
        try:
            connection = self._idle.get_nowait()
        except queue.Empty:
            try:
                connection = self._connect()
            except DatabaseError:
                raise
            except Exception as exc:
                raise DatabaseError(f"cannot connect: {_first_line(exc)}") from exc
        try:
            with connection.cursor() as cursor:
                yield cursor
        except Exception as exc:
            _close(connection)
            self._drop_idle()
            if isinstance(exc, DatabaseError):
                raise
            raise DatabaseError(_first_line(exc)) from exc
        try:
            self._idle.put_nowait(connection)
        except queue.Full:
            _close(connection)

    def _drop_idle(self) -> None:
        while True:
            try:
                _close(self._idle.get_nowait())
            except queue.Empty:
                return

    def ensure_schema(self) -> None:
        """Create the tables when missing (once per process; two servers racing is harmless)."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            for attempt in range(3):
                try:
                    with self.cursor() as cursor:
                        for statement in SCHEMA[self.settings.database_kind]:
                            cursor.execute(statement)
                    break
                except DatabaseError:
                    if attempt == 2:
                        raise
                    time.sleep(0.2)
            self._schema_ready = True

    def ping(self) -> bool:
        """The database answers `SELECT 1` (tried again on a fresh connection when a pooled one failed)."""
        for _ in range(2):
            try:
                with self.cursor() as cursor:
                    cursor.execute("SELECT 1")
                    return bool(cursor.fetchone()[0] == 1)
            except DatabaseError:
                continue
        return False

    def record_visit(self, hostname: str, version: str) -> int:
        """Write a visit row and read back how many there are."""
        self.ensure_schema()
        with self.cursor() as cursor:
            cursor.execute(
                "INSERT INTO webapp_visits (hostname, version) VALUES (%s, %s)", (hostname, version)
            )
            cursor.execute("SELECT COUNT(*) FROM webapp_visits")
            return int(cursor.fetchone()[0])

    def add_item(self, name: str) -> int:
        """Store an item; its id."""
        self.ensure_schema()
        with self.cursor() as cursor:
            if self.settings.database_kind == "postgresql":
                cursor.execute("INSERT INTO webapp_items (name) VALUES (%s) RETURNING id", (name,))
                return int(cursor.fetchone()[0])
            cursor.execute("INSERT INTO webapp_items (name) VALUES (%s)", (name,))
            return int(cursor.lastrowid)

    def items(self, limit: int) -> list[dict[str, Any]]:
        """The latest `limit` items, newest first."""
        self.ensure_schema()
        with self.cursor() as cursor:
            cursor.execute("SELECT id, name FROM webapp_items ORDER BY id DESC LIMIT %s", (limit,))
            return [{"id": int(row[0]), "name": str(row[1])} for row in cursor.fetchall()]


class Metrics:
    """Counters for /metrics: requests by path and status."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, int], int] = {}
        self.started = time.time()

    def count(self, path: str, status: int) -> None:
        with self._lock:
            self._requests[(path, status)] = self._requests.get((path, status), 0) + 1

    def render(self, settings: Settings, database_up: bool) -> str:
        """The Prometheus text exposition."""
        with self._lock:
            requests = sorted(self._requests.items())
        cpu = os.times()
        lines = [
            "# HELP webapp_requests_total HTTP requests served, by path and status.",
            "# TYPE webapp_requests_total counter",
            *(f'webapp_requests_total{{path="{p}",status="{s}"}} {n}' for (p, s), n in requests),
            "# HELP webapp_database_up Whether the database answered SELECT 1 (1) or not (0).",
            "# TYPE webapp_database_up gauge",
            f"webapp_database_up {1 if database_up else 0}",
            "# HELP webapp_info The application's name, version and environment.",
            "# TYPE webapp_info gauge",
            f'webapp_info{{app="{_label(settings.app_name)}",version="{_label(settings.version)}",'
            f'environment="{_label(settings.environment)}"}} 1',
            "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
            "# TYPE process_cpu_seconds_total counter",
            f"process_cpu_seconds_total {cpu.user + cpu.system:.3f}",
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
            "# TYPE process_start_time_seconds gauge",
            f"process_start_time_seconds {self.started:.3f}",
        ]
        return "\n".join(lines) + "\n"


class App:
    """The routes: one method per path, each returning (status, content type, body)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.metrics = Metrics()
        self.hostname = socket.gethostname()
        self._health_key: tuple[int, int, int] | None = None
        self._health_paths: frozenset[str] = frozenset()

    def draining(self) -> bool:
        return bool(self.settings.drain_file) and os.path.exists(self.settings.drain_file)

    def health_paths(self) -> frozenset[str]:
        """The paths answering the health check: those in `health_paths_file` (read again when it changes),
        else `health_path`."""
        name = self.settings.health_paths_file
        if not name:
            return frozenset({self.settings.health_path})
        try:
            stat = os.stat(name)
            key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            if key != self._health_key:
                with open(name, encoding="utf-8") as file:
                    found = frozenset(line.strip() for line in file if line.strip().startswith("/"))
                self._health_key, self._health_paths = key, found
        except OSError:
            return frozenset({self.settings.health_path})
        return self._health_paths or frozenset({self.settings.health_path})

    def route(self, method: str, path: str) -> Callable[[dict[str, list[str]], bytes], Response] | None:
        """The handler of `method path`, or None."""
        routes: dict[tuple[str, str], Callable[[dict[str, list[str]], bytes], Response]] = {
            ("GET", "/"): self.index,
            ("GET", "/version"): self.version,
            ("GET", "/metrics"): self.prometheus,
            ("GET", "/work"): self.work,
            ("GET", "/items"): self.list_items,
            ("POST", "/items"): self.add_item,
        }
        if method == "GET" and path in self.health_paths():
            return self.health
        return routes.get((method, path))

    def index(self, query: dict[str, list[str]], body: bytes) -> Response:
        s = self.settings
        try:
            visits = self.database.record_visit(self.hostname, s.version)
        except DatabaseError as exc:
            return _json(503, {"error": f"database unavailable: {exc}"})
        app, version = html.escape(s.app_name), html.escape(s.version)
        environment, host = html.escape(s.environment), html.escape(self.hostname)
        page = (
            f"<!doctype html>\n<html><head><title>{app}</title></head><body>\n<h1>{app}</h1>\n"
            f'<p>version <b id="version">{version}</b> ({environment})'
            f' on host <b id="hostname">{host}</b></p>\n'
            f'<p>visits: <b id="visits">{visits}</b></p>\n</body></html>\n'
        )
        return Response(200, "text/html; charset=utf-8", page.encode())

    def health(self, query: dict[str, list[str]], body: bytes) -> Response:
        if self.draining():
            return _json(503, {"status": "draining", "version": self.settings.version})
        if not self.database.ping():
            return _json(503, {"status": "unhealthy", "database": "down", "version": self.settings.version})
        return _json(200, {"status": "ok", "database": "up", "version": self.settings.version})

    def version(self, query: dict[str, list[str]], body: bytes) -> Response:
        s = self.settings
        found = {"app": s.app_name, "version": s.version, "environment": s.environment}
        return _json(200, {**found, "hostname": self.hostname})

    def prometheus(self, query: dict[str, list[str]], body: bytes) -> Response:
        text = self.metrics.render(self.settings, self.database.ping())
        return Response(200, "text/plain; version=0.0.4; charset=utf-8", text.encode())

    def work(self, query: dict[str, list[str]], body: bytes) -> Response:
        raw = (query.get("ms") or ["100"])[0]
        if not raw.isdigit():
            return _json(400, {"error": f"ms must be a whole number of milliseconds (got {raw!r})"})
        ms = min(int(raw), WORK_LIMIT_MS)
        started = time.thread_time()
        while (time.thread_time() - started) * 1000 < ms:
            sum(range(1000))
        return _json(200, {"ms": ms, "limit_ms": WORK_LIMIT_MS, "hostname": self.hostname})

    def list_items(self, query: dict[str, list[str]], body: bytes) -> Response:
        raw = (query.get("limit") or ["20"])[0]
        if not raw.isdigit() or not 1 <= int(raw) <= ITEMS_LIMIT:
            return _json(400, {"error": f"limit must be between 1 and {ITEMS_LIMIT} (got {raw!r})"})
        try:
            return _json(200, {"items": self.database.items(int(raw))})
        except DatabaseError as exc:
            return _json(503, {"error": f"database unavailable: {exc}"})

    def add_item(self, query: dict[str, list[str]], body: bytes) -> Response:
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return _json(400, {"error": 'the body must be JSON: {"name": "..."}'})
        name = data.get("name") if isinstance(data, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= NAME_LIMIT:
            return _json(400, {"error": f"name must be a string of 1 to {NAME_LIMIT} characters"})
        try:
            return _json(201, {"id": self.database.add_item(name), "name": name})
        except DatabaseError as exc:
            return _json(503, {"error": f"database unavailable: {exc}"})


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


def make_server(settings: Settings, database: Database | None = None) -> ThreadingHTTPServer:
    """The HTTP server on `settings.bind:port` (not started)."""
    app = App(settings, database or Database(settings))

    class Handler(BaseHTTPRequestHandler):
        server_version = "webapp"
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            handler = app.route(method, url.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 65536)) if length else b""
            if handler is None:
                known = app.route("GET", url.path) or app.route("POST", url.path)
                response = _json(405 if known else 404, {"error": f"no route {method} {url.path}"})
            else:
                response = handler(parse_qs(url.query), body)
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
            label = url.path if handler is not None else "other"
            app.metrics.count(label, response.status)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    server = ThreadingHTTPServer((settings.bind, settings.port), Handler)
    server.daemon_threads = True
    return server


def main() -> None:
    """Serve until SIGTERM or SIGINT."""
    import signal

    settings = Settings.from_environment()
    database = Database(settings)
    server = make_server(settings, database)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        database.ensure_schema()
    except DatabaseError as exc:
        print(
            f"webapp: the database does not answer yet ({exc}); tables are made on first use", file=sys.stderr
        )
    s = settings
    print(
        f"webapp: {s.app_name} {s.version} ({s.environment}) on {s.bind}:{s.port},"
        f" database {s.database_kind} {s.database_host}:{s.database_port}",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _json(status: int, value: Any) -> Response:
    return Response(status, "application/json", (json.dumps(value) + "\n").encode())


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _close(connection: Any) -> None:
    try:
        connection.close()
    except Exception:
        pass


if __name__ == "__main__":
    main()
