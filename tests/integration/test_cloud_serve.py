"""`provisioning cloud serve` as a developer runs it: real processes, the console script, no bootstrap env."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.cloud import stop_process
from tests.support.http_wire import one_response

PROVISIONING = Path(sys.executable).parent / "provisioning"
"""The console script (`provisioning = "provisioning.cli:main"`) of this environment."""
LISTENING = re.compile(r"^custom-cloud listening on (http://127\.0\.0\.1:\d+/v1)$")


@pytest.fixture(scope="session", autouse=True)
def pulumi_engine() -> None:
    """These tests run the Custom Cloud service only: they need no Pulumi engine (overrides conftest's)."""


@dataclass
class Served:
    """A `provisioning cloud serve` process and everything it printed."""

    process: subprocess.Popen[str]
    url: str
    stdout: list[str]
    stderr: list[str] = field(default_factory=list)

    def output(self) -> str:
        """stdout and stderr so far (all of it once stopped)."""
        return "".join(self.stdout) + "".join(self.stderr)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOM_CLOUD_")}
    return {**env, **extra}


@contextmanager
def serve(
    state: Path, *flags: str, env: dict[str, str] | None = None, command: tuple[str, ...] = ()
) -> Iterator[Served]:
    """Run `provisioning cloud serve --port 0 --hosts record --state STATE` until the block ends (SIGTERM);
    `command` replaces the console script `provisioning`."""
    cmd = [*(command or [str(PROVISIONING)]), "cloud", "serve", "--port", "0", "--hosts", "record"]
    cmd += ["--state", str(state)]
    proc = subprocess.Popen(
        [*cmd, *flags],
        env=env or _env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    served = Served(proc, "", [])
    stdout_reader: threading.Thread | None = None
    stderr_reader = threading.Thread(target=lambda: served.stderr.extend(proc.stderr or ()), daemon=True)
    stderr_reader.start()
    try:
        deadline = time.monotonic() + 30
        while not served.url:
            line = proc.stdout.readline()
            if not line:
                proc.wait(timeout=10)
                stderr_reader.join(timeout=10)
                raise AssertionError(f"exited with {proc.returncode} before listening:\n{served.output()}")
            served.stdout.append(line)
            match = LISTENING.match(line.rstrip("\n"))
            if match:
                served.url = match.group(1)
            assert time.monotonic() < deadline, "no listening line in 30 s"
        stdout_reader = threading.Thread(target=lambda: served.stdout.extend(proc.stdout or ()), daemon=True)
        stdout_reader.start()
        root = served.url.removesuffix("/v1")
        while True:
            try:
                if httpx.get(f"{root}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "/healthz did not answer in 30 s"
            time.sleep(0.05)
        yield served
    finally:
        stop_process(proc, timeout=15)
        stderr_reader.join(timeout=10)
        if stdout_reader is not None:
            stdout_reader.join(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def _status(url: str, key: str | None) -> int:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(f"{url}/instances", headers=headers, timeout=10).status_code


def test_first_start_makes_the_default_project_and_a_0600_key_file(tmp_path: Path) -> None:
    state = tmp_path / "cloud" / "custom-cloud.db"
    key_file = tmp_path / "cloud" / "custom-cloud.db.key"
    with serve(state) as served:
        key = key_file.read_text().strip()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert _status(served.url, key) == 200
        assert _status(served.url, None) == 401
        assert _status(served.url, key + "x") == 401
    assert served.process.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM once shut down
    out = "".join(served.stdout)
    assert key not in served.output()  # neither stdout nor stderr
    assert f"custom-cloud state: {state} (new)\n" in out
    assert f"custom-cloud project: default, API key in {key_file} (new, mode 0600)\n" in out
    assert f'"$(provisioning cloud key --state {state})"' in out
    assert "custom-cloud hosts: record (--hosts record)\n" in out
    assert "nothing is created on this machine" in out


def test_a_restart_reuses_the_key_and_cloud_key_prints_it(tmp_path: Path) -> None:
    state = tmp_path / "custom-cloud.db"
    with serve(state) as first:
        key = (tmp_path / "custom-cloud.db.key").read_text().strip()
        created = httpx.post(
            f"{first.url}/networks",
            json={"name": "kept", "cidr": "10.20.0.0/16"},
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
    with serve(state) as second:
        assert (tmp_path / "custom-cloud.db.key").read_text().strip() == key
        names = httpx.get(f"{second.url}/networks", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert [n["name"] for n in names.json()["items"]] == ["kept"]
    assert "(kept from an earlier start)" in "".join(second.stdout)
    assert key not in second.output()

    printed = subprocess.run(
        [str(PROVISIONING), "cloud", "key", "--state", str(state)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (printed.returncode, printed.stdout, printed.stderr) == (0, key + "\n", "")
    # the default --state is .state/custom-cloud.db in the working directory, like `cloud serve`'s
    (tmp_path / ".state").mkdir()
    (tmp_path / ".state" / "custom-cloud.db.key").write_text(key)
    (tmp_path / ".state" / "custom-cloud.db.key").chmod(0o600)
    default = subprocess.run(
        [str(PROVISIONING), "cloud", "key"],
        env=_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (default.returncode, default.stdout) == (0, key + "\n")


def test_a_bootstrap_key_without_a_project_is_an_error_naming_what_to_add(tmp_path: Path) -> None:
    secret = "ck_never_printed_0123456789"
    done = subprocess.run(
        [str(PROVISIONING), "cloud", "serve", "--port", "0", "--state", str(tmp_path / "s" / "c.db")],
        env=_env(CUSTOM_CLOUD_BOOTSTRAP_KEY=secret),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--bootstrap-project" in done.stderr and "CUSTOM_CLOUD_BOOTSTRAP_PROJECT" in done.stderr
    assert secret not in done.stdout + done.stderr
    assert not (tmp_path / "s").exists()


def test_bootstrap_project_and_key_still_work_without_a_key_file(tmp_path: Path) -> None:
    env = _env(CUSTOM_CLOUD_BOOTSTRAP_PROJECT="team", CUSTOM_CLOUD_BOOTSTRAP_KEY="ck_team_key_0123456789")
    with serve(tmp_path / "c.db", env=env) as served:
        assert _status(served.url, "ck_team_key_0123456789") == 200
    assert "custom-cloud project: team, API key from CUSTOM_CLOUD_BOOTSTRAP_KEY\n" in "".join(served.stdout)
    assert "ck_team_key_0123456789" not in served.output()
    assert not (tmp_path / "c.db.key").exists()


SERVE_THEN_LIST_PULUMI = """
import signal, sys
from provisioning.cli import main

# uvicorn shuts down on SIGTERM, then raises it again: with this handler `main` returns instead of dying.
signal.signal(signal.SIGTERM, lambda *_: None)
status = main(sys.argv[1:])
print("emulator loaded:", "provisioning.emulator.app" in sys.modules)
print("pulumi modules:", sorted(m for m in sys.modules if m == "pulumi" or m.startswith("pulumi.")))
sys.exit(status)
"""


def test_the_service_process_never_imports_pulumi(tmp_path: Path) -> None:
    """The real CLI serves real requests on every kind of route; then its own sys.modules has no pulumi."""
    command = (sys.executable, "-c", SERVE_THEN_LIST_PULUMI)
    with serve(tmp_path / "c.db", "--lifecycle", "immediate", command=command) as served:
        key = (tmp_path / "c.db.key").read_text().strip()
        with httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {key}"}, timeout=10) as c:
            assert c.get("/instances").status_code == 200
            net = c.post("/networks", json={"name": "n", "cidr": "10.30.0.0/16"})
            assert net.status_code == 201, net.text
            body = {"name": "vm", "machine_type": "small", "zone": "us-west-1a", "vpc": net.json()["id"]}
            instance = c.post("/instances", json=body)
            assert instance.status_code == 202, instance.text
            assert c.post(f"/instances/{instance.json()['id']}/stop").status_code == 202
            assert c.post("/instances", json={"name": ""}).status_code == 422  # validation error path
            assert c.get("/instances/i-missing").status_code == 404  # error envelope path
            for path in ("/regions", "/machine-types", "/pricing", "/volumes", "/load-balancers", "/subnets"):
                assert c.get(path).status_code == 200, path
        assert httpx.get(served.url.removesuffix("/v1") + "/metrics", timeout=10).status_code == 200
    assert served.process.returncode == 0, served.output()
    assert "emulator loaded: True\n" in served.stdout
    assert "pulumi modules: []\n" in served.stdout


def test_the_api_contract_imports_without_pulumi() -> None:
    code = (
        "import sys\n"
        "import provisioning.providers.custom_cloud.api\n"
        "from provisioning.providers.custom_cloud.api import catalog, models\n"
        "print(sorted(m for m in sys.modules if m == 'pulumi' or m.startswith('pulumi.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


def test_an_idle_connection_stays_open_longer_than_clients_keep_theirs(tmp_path: Path) -> None:
    """A client reuses a connection idle for up to 5 s (httpx's default): the server must not close it first,
    or a request sent as it closes is reset (`Connection reset by peer`)."""
    with serve(tmp_path / "c.db") as served:
        root = served.url.removesuffix("/v1")
        host, port = root.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            for _ in range(2):
                conn.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                assert one_response(conn).startswith(b"HTTP/1.1 200 "), "the idle connection was closed"
                time.sleep(6)  # idle longer than httpx's keep-alive expiry, on the same connection


def test_machine_hosts_refuse_to_start_without_the_image_given(tmp_path: Path) -> None:
    missing = tmp_path / "no-image"
    done = subprocess.run(
        [str(PROVISIONING), "cloud", "serve", "--port", "0", "--state", str(tmp_path / "c.db"),
         "--hosts", "machine", "--machine-image", str(missing)],
        env=_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert f"no machine image at {missing}: build it with `sudo scripts/machine-image.sh`" in done.stderr
