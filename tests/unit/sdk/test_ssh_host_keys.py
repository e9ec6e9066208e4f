"""Host keys: fingerprints computed as ssh-keygen prints them, a verified key kept and used again while the
API still lists its fingerprint, and read again (never trusted) once it does not."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from provisioning.sdk import ssh


def _new_key(folder: Path, name: str) -> tuple[str, str]:
    """A fresh ed25519 public key line and its fingerprint as `ssh-keygen -l -E sha256` prints it."""
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    line = " ".join(path.with_suffix(".pub").read_text().split()[:2])
    printed = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(path.with_suffix(".pub"))],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    return line, printed.split()[1]


class Scanner:
    """Stands for `ssh-keyscan`: answers with `keys`, counts the scans."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.keys: list[str] = []
        self.scans = 0
        monkeypatch.setattr(ssh.subprocess, "run", self.run)

    def run(self, argv: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        assert argv[0] == "ssh-keyscan", argv
        self.scans += 1
        out = "".join(f"127.0.0.5 {key}\n" for key in self.keys)
        return subprocess.CompletedProcess(argv, 0, stdout=out, stderr="")


def test_fingerprint_of_matches_ssh_keygen(tmp_path: Path) -> None:
    line, printed = _new_key(tmp_path, "k")
    assert ssh.fingerprint_of(line) == printed


def test_a_verified_key_is_kept_until_the_api_lists_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, old_print = _new_key(tmp_path, "old")
    new, new_print = _new_key(tmp_path, "new")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    scanner = Scanner(monkeypatch)
    scanner.keys = [old]
    assert ssh.verified_host_key("127.0.0.5", 22, [old_print]) == old
    assert ssh.verified_host_key("127.0.0.5", 22, [old_print]) == old
    assert scanner.scans == 1  # the second run used the kept key
    assert list(ssh.host_key_cache().iterdir())
    scanner.keys = [new]  # the server was rebuilt: the API lists the new key's fingerprint
    assert ssh.verified_host_key("127.0.0.5", 22, [new_print]) == new
    assert scanner.scans == 2
    assert ssh.verified_host_key("127.0.0.5", 2222, [new_print]) == new  # another address: scanned
    assert scanner.scans == 3


def test_a_key_the_api_does_not_list_is_refused_and_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, _ = _new_key(tmp_path, "k")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    Scanner(monkeypatch).keys = [key]
    with pytest.raises(ValueError, match="refusing to connect"):
        ssh.verified_host_key("127.0.0.5", 22, ["SHA256:not-this-one"])
    assert not ssh.host_key_cache().exists() or not list(ssh.host_key_cache().iterdir())
