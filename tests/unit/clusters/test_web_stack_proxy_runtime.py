"""The scripts that drain a server from a running HAProxy and put it back (web_stack/proxy_runtime.py), run
with bash against a fake runtime API: a `socat` on PATH that answers `show stat` from a CSV file and applies
`set server … state drain|ready` to it, the way HAProxy's own would (a drained server shows DRAIN, a ready
one whose checks pass UP). The real HAProxy: tests/e2e/test_web_stack_day_two.py."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioning.components.clusters.web_stack.proxy_runtime import backend_of, drain_script, readmit_script

BACKEND = backend_of("shop-web-0")
FAKE_SOCAT = r"""#!/bin/bash
# a fake HAProxy runtime API: `show stat` from stat.csv, `set server B/S state X` applied to it
read -r command
echo "$command" >> "$FAKE_HAPROXY/commands"
case "$command" in
    "show stat") cat "$FAKE_HAPROXY/stat.csv" ;;
    "set server "*)
        target=${command#set server }; target=${target%% *}
        case "${command##* }" in drain) status=DRAIN ;; *) status=UP ;; esac
        awk -F, -v OFS=, -v b="${target%/*}" -v s="${target#*/}" -v n="$status" \
            '$1 == b && $2 == s { $18 = n; $5 = 0 } { print }' "$FAKE_HAPROXY/stat.csv" > "$FAKE_HAPROXY/next"
        mv "$FAKE_HAPROXY/next" "$FAKE_HAPROXY/stat.csv" ;;
esac
"""


@dataclass
class FakeHAProxy:
    """A runtime API socket path and the fake's state folder."""

    folder: Path
    socket: str

    def pool(self, **servers: tuple[str, int]) -> None:
        """The pool's servers: name → (status, current sessions)."""
        rows = ["# pxname,svname,qcur,qmax,scur," + ",".join(f"f{i}" for i in range(6, 21))]
        for name, (status, sessions) in servers.items():
            fields = [""] * 20
            fields[0], fields[1], fields[4], fields[17] = (
                BACKEND,
                name.replace("_", "-"),
                str(sessions),
                status,
            )
            rows.append(",".join(fields))
        rows.append(",".join([BACKEND, "BACKEND"] + [""] * 18))
        (self.folder / "stat.csv").write_text("\n".join(rows) + "\n")

    def status(self, server: str) -> str:
        for row in (self.folder / "stat.csv").read_text().splitlines():
            fields = row.split(",")
            if fields[:2] == [BACKEND, server]:
                return fields[17]
        raise AssertionError(f"no {server} in the pool")

    def commands(self) -> list[str]:
        path = self.folder / "commands"
        return [c for c in path.read_text().splitlines() if c != "show stat"] if path.exists() else []

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PATH": f"{self.folder}:{os.environ['PATH']}", "FAKE_HAPROXY": str(self.folder)}
        return subprocess.run(
            ["bash", "-s"], input=script, env=env, capture_output=True, text=True, timeout=30, check=False
        )


@pytest.fixture
def haproxy(tmp_path: Path) -> Iterator[FakeHAProxy]:
    socat = tmp_path / "socat"
    socat.write_text(FAKE_SOCAT)
    socat.chmod(0o755)
    path = tmp_path / "admin.sock"
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(path))  # `[ -S … ]` needs a socket file; the fake socat answers instead
    try:
        yield FakeHAProxy(tmp_path, str(path))
    finally:
        listening.close()


def test_a_server_is_drained_while_another_serves(haproxy: FakeHAProxy) -> None:
    haproxy.pool(shop_app_0=("UP", 0), shop_app_1=("UP", 0))
    done = haproxy.run(drain_script(BACKEND, "shop-app-0", socket=haproxy.socket))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "drained shop-app-0" in done.stdout and "(1 other server(s) up)" in done.stdout
    assert haproxy.commands() == [f"set server {BACKEND}/shop-app-0 state drain"]
    assert haproxy.status("shop-app-0") == "DRAIN" and haproxy.status("shop-app-1") == "UP"


@pytest.mark.parametrize("other", ["DOWN", "DRAIN", "MAINT", "UP 1/3"])
def test_no_server_is_drained_unless_another_is_up(haproxy: FakeHAProxy, other: str) -> None:
    haproxy.pool(shop_app_0=("UP", 2), shop_app_1=(other, 0))
    done = haproxy.run(drain_script(BACKEND, "shop-app-0", socket=haproxy.socket, peer_timeout=1))
    assert done.returncode == 3
    assert "refusing to drain shop-app-0: no other server of shop-web-0-servers" in done.stdout
    assert f"shop-app-1 {other};" in done.stdout
    assert haproxy.commands() == [] and haproxy.status("shop-app-0") == "UP"


def test_a_server_is_back_once_its_checks_pass(haproxy: FakeHAProxy) -> None:
    haproxy.pool(shop_app_0=("DRAIN", 0), shop_app_1=("UP", 3))
    done = haproxy.run(readmit_script(BACKEND, "shop-app-0", socket=haproxy.socket))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "shop-app-0 is back in shop-web-0-servers" in done.stdout
    assert haproxy.commands() == [f"set server {BACKEND}/shop-app-0 state ready"]


def test_a_server_whose_checks_fail_is_reported(haproxy: FakeHAProxy, tmp_path: Path) -> None:
    haproxy.pool(shop_app_0=("DOWN", 0), shop_app_1=("UP", 0))
    # HAProxy keeps a server whose checks fail DOWN whatever its admin state
    (tmp_path / "socat").write_text(FAKE_SOCAT.replace("*) status=UP ;;", "*) status=DOWN ;;"))
    done = haproxy.run(readmit_script(BACKEND, "shop-app-0", socket=haproxy.socket, ready_timeout=1))
    assert done.returncode == 4
    assert "shop-app-0 is DOWN on" in done.stdout and "its checks do not pass" in done.stdout


def test_nothing_to_do_without_haproxy_or_without_the_server(haproxy: FakeHAProxy, tmp_path: Path) -> None:
    haproxy.pool(shop_app_1=("UP", 0))
    done = haproxy.run(drain_script(BACKEND, "shop-app-0", socket=haproxy.socket))
    assert done.returncode == 0 and "has no server shop-app-0: nothing to do" in done.stdout
    missing = haproxy.run(readmit_script(BACKEND, "shop-app-0", socket=str(tmp_path / "absent.sock")))
    assert missing.returncode == 0 and "no running HAProxy" in missing.stdout
    assert haproxy.commands() == []
