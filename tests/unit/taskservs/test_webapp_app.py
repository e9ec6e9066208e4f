"""The web application itself (`webapp/app/server.py`), started with the host's /usr/bin/python3 on
127.0.0.1 against a real PostgreSQL and a real MariaDB on 127.0.0.1: every endpoint, the tables made when
missing, draining, /metrics as Prometheus text (`promtool check metrics`), the bounds of /work, the health
path when the database is gone."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from provisioning.components.taskservs.webapp.render import APP_SOURCE
from tests.support.mariadb import running_mariadb
from tests.support.postgres import _free_port, running_postgres
from tests.support.tools import require_tool

PYTHON = "/usr/bin/python3"
DRIVER_HINT = "apt-get install python3-psycopg2 python3-pymysql (scripts/system-packages.sh installs them)"


@dataclass(frozen=True)
class Database:
    kind: str
    port: int
    name: str = "app"
    user: str = "app"
    password: str = "s3cret 'pw'"
    cut_off: Callable[[], int] = field(default=lambda: 0, repr=False)
    """Ends every connection of `user` on the server (as a database restart does); how many."""


def _require_drivers() -> None:
    if not Path(PYTHON).exists():
        raise AssertionError(f"{PYTHON} is missing: apt-get install python3")
    done = subprocess.run([PYTHON, "-c", "import psycopg2, pymysql"], capture_output=True, text=True)
    assert done.returncode == 0, f"{PYTHON} lacks psycopg2 or pymysql: {DRIVER_HINT}"


@contextmanager
def postgres_database() -> Iterator[Database]:
    """A throwaway PostgreSQL with a login role `app` owning database `app`."""
    with running_postgres() as server:
        server.psql("CREATE ROLE app LOGIN PASSWORD 'unused: the test cluster trusts 127.0.0.1'")
        server.psql("CREATE DATABASE app OWNER app")
        sql = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'app'"
        yield Database("postgresql", server.port, cut_off=lambda: int(server.psql(sql)))


@contextmanager
def mariadb_database() -> Iterator[Database]:
    """A throwaway MariaDB with user `app` (password) and database `app`."""
    with running_mariadb() as server:
        password = Database.password.replace("'", "\\'")
        server.sql(f"CREATE DATABASE app; CREATE USER 'app'@'%' IDENTIFIED BY '{password}'; "
                   "GRANT ALL ON app.* TO 'app'@'%';")  # fmt: skip

        def cut_off() -> int:
            ids = server.sql("SELECT id FROM information_schema.processlist WHERE user = 'app'").split()
            for thread in ids:
                server.sql(f"KILL {int(thread)}", check=False)
            return len(ids)

        yield Database("mysql", server.port, cut_off=cut_off)


@dataclass
class RunningApp:
    url: str
    drain_file: Path
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, params: dict[str, object] | None = None, timeout: float = 10) -> httpx.Response:
        return httpx.get(self.url + path, params=params, timeout=timeout)  # type: ignore[arg-type]


@contextmanager
def running_app(database: Database, tmp: Path, **env: str) -> Iterator[RunningApp]:
    """server.py under /usr/bin/python3 on 127.0.0.1, its settings in WEBAPP_* as the service gets them."""
    _require_drivers()
    password_file = tmp / "database-password"
    password_file.write_text(database.password)
    password_file.chmod(0o600)
    port = _free_port()
    settings = {
        "WEBAPP_APP_NAME": "shop",
        "WEBAPP_ENVIRONMENT": "test",
        "WEBAPP_VERSION": "1.2.3",
        "WEBAPP_BIND": "127.0.0.1",
        "WEBAPP_PORT": str(port),
        "WEBAPP_HEALTH_PATH": "/health",
        "WEBAPP_DATABASE_KIND": database.kind,
        "WEBAPP_DATABASE_HOST": "127.0.0.1",
        "WEBAPP_DATABASE_PORT": str(database.port),
        "WEBAPP_DATABASE_NAME": database.name,
        "WEBAPP_DATABASE_USER": database.user,
        "WEBAPP_DATABASE_PASSWORD_FILE": str(password_file),
        "WEBAPP_DRAIN_FILE": str(tmp / "draining"),
        **env,
    }
    log = tmp / "webapp.log"
    process = subprocess.Popen(
        [PYTHON, str(APP_SOURCE)], env={"PATH": "/usr/bin:/bin", **settings},
        stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    app = RunningApp(f"http://127.0.0.1:{port}", tmp / "draining", process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"webapp exited: {log.read_text()[-800:]}"
            try:
                app.get("/version")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"webapp did not answer within 30 s: {log.read_text()}"
                time.sleep(0.1)
        yield app
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module", params=["postgresql", "mysql"])
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    with postgres_database() if request.param == "postgresql" else mariadb_database() as found:
        yield found


@pytest.fixture
def app(database: Database, tmp_path: Path) -> Iterator[RunningApp]:
    with running_app(database, tmp_path) as running:
        yield running


def test_the_page_records_a_visit_and_reads_the_count(app: RunningApp) -> None:
    first = app.get("/")
    second = app.get("/")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    assert 'id="version">1.2.3<' in first.text and "<h1>shop</h1>" in first.text
    assert f'id="hostname">{socket.gethostname()}<' in first.text
    count = int(first.text.split('id="visits">')[1].split("<")[0])
    assert f'id="visits">{count + 1}<' in second.text


def test_health_version_and_unknown_paths(app: RunningApp) -> None:
    health = app.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "up", "version": "1.2.3"}
    assert app.get("/version").json() == {
        "app": "shop", "version": "1.2.3", "environment": "test", "hostname": socket.gethostname(),
    }  # fmt: skip
    assert app.get("/nope").status_code == 404
    assert httpx.post(app.url + "/version", timeout=10).status_code == 405


def test_draining_answers_503_on_the_health_path_only(app: RunningApp) -> None:
    app.drain_file.touch()
    health = app.get("/health")
    assert health.status_code == 503 and health.json()["status"] == "draining"
    assert app.get("/").status_code == 200
    app.drain_file.unlink()
    assert app.get("/health").status_code == 200


def test_the_health_paths_file_is_read_again_when_it_changes(database: Database, tmp_path: Path) -> None:
    paths = tmp_path / "health-paths"
    paths.write_text("/health\n")
    with running_app(database, tmp_path, WEBAPP_HEALTH_PATHS_FILE=str(paths)) as app:
        assert app.get("/health").status_code == 200 and app.get("/healthz").status_code == 404
        # a new path beside the previous one, without a restart: both answer while proxies switch over
        paths.write_text("/healthz\n/health\n")
        assert app.get("/healthz").status_code == 200 and app.get("/health").status_code == 200
        paths.write_text("/healthz\n")
        assert app.get("/healthz").status_code == 200 and app.get("/health").status_code == 404
        assert app.process.poll() is None


def test_items_are_written_and_read(app: RunningApp) -> None:
    made = httpx.post(app.url + "/items", json={"name": "a 'quoted' item"}, timeout=10)
    assert made.status_code == 201
    item = made.json()
    assert item["name"] == "a 'quoted' item" and isinstance(item["id"], int)
    listed = app.get("/items", params={"limit": 5}).json()["items"]
    assert listed[0] == item
    assert httpx.post(app.url + "/items", content=b"not json", timeout=10).status_code == 400
    assert httpx.post(app.url + "/items", json={"name": ""}, timeout=10).status_code == 400
    assert httpx.post(app.url + "/items", json={"name": "x" * 201}, timeout=10).status_code == 400
    assert app.get("/items", params={"limit": 0}).status_code == 400
    assert app.get("/items", params={"limit": 101}).status_code == 400


def test_work_burns_cpu_within_its_bound(app: RunningApp) -> None:
    def cpu() -> float:
        text = app.get("/metrics").text
        return float(text.split("\nprocess_cpu_seconds_total ")[1].split()[0])

    before = cpu()
    assert app.get("/work", params={"ms": 300}).json()["ms"] == 300
    assert cpu() - before >= 0.29
    bounded = app.get("/work", params={"ms": 999999}, timeout=60)
    assert bounded.json()["ms"] == 2000 and bounded.json()["limit_ms"] == 2000
    assert app.get("/work", params={"ms": "-5"}).status_code == 400
    assert app.get("/work", params={"ms": "lots"}).status_code == 400


def test_metrics_are_prometheus_text(app: RunningApp, tmp_path: Path) -> None:
    app.get("/")
    app.get("/nope")
    text = app.get("/metrics").text
    promtool = require_tool("promtool", "prometheus")
    done = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert samples['webapp_requests_total{path="/",status="200"}'] >= 1
    assert samples['webapp_requests_total{path="other",status="404"}'] >= 1
    assert samples["webapp_database_up"] == 1
    assert samples['webapp_info{app="shop",version="1.2.3",environment="test"}'] == 1
    assert samples["process_cpu_seconds_total"] > 0


def test_the_tables_are_made_at_start(database: Database, tmp_path: Path) -> None:
    with running_app(database, tmp_path, WEBAPP_VERSION="2.0") as app:
        assert app.get("/items").status_code == 200
        assert 'id="version">2.0<' in app.get("/").text
    log = app.log.read_text()
    assert "webapp: shop 2.0 (test) on 127.0.0.1:" in log and "does not answer" not in log


def test_cut_off_connections_are_replaced(app: RunningApp, database: Database) -> None:
    for _ in range(3):
        assert app.get("/").status_code == 200
    assert database.cut_off() >= 1
    assert app.get("/health").status_code == 200
    for _ in range(3):
        assert app.get("/").status_code == 200


def test_without_the_database_health_is_503(tmp_path: Path) -> None:
    gone = Database("postgresql", _free_port())
    with running_app(gone, tmp_path) as app:
        health = app.get("/health")
        assert health.status_code == 503 and health.json()["database"] == "down"
        assert app.get("/").status_code == 503
        assert "webapp_database_up 0" in app.get("/metrics").text
        assert app.get("/version").status_code == 200
