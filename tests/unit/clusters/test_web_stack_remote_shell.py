"""Running a script on a server over SSH from the program (web_stack/remote_shell.py), against a fake `ssh`
on PATH that records what it was given and exits as told: the host key pinned, the key in a private file
only for the call, the script on stdin, SSH's own failures tried again, a failing script an error naming
the server and its output, never the key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provisioning.components.clusters.web_stack import remote_shell
from provisioning.components.clusters.web_stack.remote_shell import (
    RemoteScriptFailed,
    SshEndpoint,
    run_script,
)

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeHostKeyForTests"
PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----"
ENDPOINT = SshEndpoint("shop-web-0", "127.0.0.9", 2201, ("SHA256:abc",))
FAKE_SSH = r"""#!/bin/bash
# a fake ssh: records its arguments, the key file's mode, known_hosts and stdin; exits with the next code
calls="$FAKE_SSH/calls"; n=$(( $(cat "$calls" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$calls"
printf '%s\n' "$@" > "$FAKE_SSH/args.$n"
key=$(printf '%s\n' "$@" | sed -n '/^-i$/{n;p}')
stat -c %a "$key" > "$FAKE_SSH/key-mode.$n"; echo "$key" > "$FAKE_SSH/key-path.$n"
known=$(printf '%s\n' "$@" | sed -n 's/^UserKnownHostsFile=//p'); cp "$known" "$FAKE_SSH/known.$n"
cat > "$FAKE_SSH/stdin.$n"
code=$(cut -d' ' -f"$n" "$FAKE_SSH/codes"); echo "output of call $n"; exit "${code:-0}"
"""


@pytest.fixture
def fake_ssh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "ssh").write_text(FAKE_SSH)
    (tmp_path / "ssh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SSH", str(tmp_path))
    monkeypatch.setattr(remote_shell, "verified_host_key", lambda host, port, fingerprints: HOST_KEY)
    monkeypatch.setattr(remote_shell, "RETRY_PAUSE", 0.01)
    return tmp_path


def codes(folder: Path, *exits: int) -> None:
    (folder / "codes").write_text(" ".join(str(code) for code in exits))


def test_the_script_runs_with_the_host_key_pinned_and_the_key_only_for_the_call(fake_ssh: Path) -> None:
    codes(fake_ssh, 0)
    output = run_script(ENDPOINT, PRIVATE_KEY, "echo hello\n", what="drain of shop-app-0")
    assert output.strip() == "output of call 1"
    args = (fake_ssh / "args.1").read_text().splitlines()
    assert args[-2:] == ["root@127.0.0.9", "bash -s"] and args[args.index("-p") + 1] == "2201"
    assert "StrictHostKeyChecking=yes" in args and "BatchMode=yes" in args
    assert (fake_ssh / "known.1").read_text() == f"[127.0.0.9]:2201 {HOST_KEY}\n"
    assert (fake_ssh / "stdin.1").read_text() == "echo hello\n"
    assert (fake_ssh / "key-mode.1").read_text().strip() == "600"
    assert not Path((fake_ssh / "key-path.1").read_text().strip()).exists()  # gone after the call


def test_ssh_failing_is_tried_again(fake_ssh: Path) -> None:
    codes(fake_ssh, 255, 255, 0)
    assert run_script(ENDPOINT, PRIVATE_KEY, "true", what="readmit").strip() == "output of call 3"


def test_a_server_that_never_answers_is_an_error(fake_ssh: Path) -> None:
    codes(fake_ssh, *[255] * 200)
    with pytest.raises(RemoteScriptFailed) as failed:
        run_script(ENDPOINT, PRIVATE_KEY, "true", what="readmit of shop-app-1", reachable_within=0.2)
    assert failed.value.returncode == 255
    assert str(failed.value).startswith("readmit of shop-app-1 on shop-web-0 (127.0.0.9:2201) exited 255")


def test_a_failing_script_names_the_server_and_its_output_not_the_key(fake_ssh: Path) -> None:
    codes(fake_ssh, 3)
    with pytest.raises(RemoteScriptFailed) as failed:
        run_script(ENDPOINT, PRIVATE_KEY, "exit 3", what="drain of shop-app-0")
    assert (
        str(failed.value) == "drain of shop-app-0 on shop-web-0 (127.0.0.9:2201) exited 3: output of call 1"
    )
    assert "not-a-real-key" not in str(failed.value)
    assert (fake_ssh / "calls").read_text().strip() == "1"  # a script's own failure is not tried again
