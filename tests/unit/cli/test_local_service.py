"""The secret file a local service keeps beside its state (`cli/_local_service.py`), as the registry keeps
its publisher's password: made once at 0600, reused, and refused when others may read it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from provisioning.cli._common import CliError
from provisioning.cli._local_service import SecretFile, cannot_listen, kept
from provisioning.cli.registry import _PASSWORD_FILE


def test_a_secret_is_made_0600_once_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "publisher.key"
    secret, made = _PASSWORD_FILE.ensure(path)
    assert (made, secret[:4], stat.S_IMODE(path.stat().st_mode)) == (True, "pub_", 0o600)
    assert len(secret) > 30 and _PASSWORD_FILE.ensure(path) == (secret, False)
    assert (kept(True), kept(False)) == ("new, mode 0600", "kept from an earlier start")


def test_the_registry_password_missing_or_open_to_others_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "publisher.key"
    with pytest.raises(CliError, match=r"^no password at .*: start `provisioning registry serve` once"):
        _PASSWORD_FILE.read(path)
    _PASSWORD_FILE.ensure(path)
    path.chmod(0o640)
    with pytest.raises(CliError, match=r"is open to other users \(mode 0640\): chmod 600 it$"):
        _PASSWORD_FILE.read(path)


def test_checks_left_out_are_not_made(tmp_path: Path) -> None:
    lenient = SecretFile(prefix="x_", nbytes=8, missing="none at {path}", open_to_others="fix {path}")
    path = tmp_path / "k"
    path.write_text("\n")
    path.chmod(0o600)
    assert lenient.read(path) == ""


def test_a_port_that_cannot_be_bound_names_address_reason_and_fix() -> None:
    error = cannot_listen("127.0.0.1", 80, OSError(13, "Permission denied"), "choose another --port")
    assert str(error) == "cannot listen on 127.0.0.1:80 (Permission denied): choose another --port"
