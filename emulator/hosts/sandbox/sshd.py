"""The instance's OpenSSH server: per-instance host keys, its configuration, root's authorized key."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ._run import run
from .filesystem import put_file, whiteout

__all__ = ["KEY_TYPES", "SSHD_CONFIG", "fingerprint", "install_sshd"]

KEY_TYPES: tuple[str, ...] = ("ed25519",)
"""Host key types made per instance: one, so that a client pinning a single key (pulumi-command's
`host_key`) always meets it. The host's other host keys are hidden (whiteouts)."""
HIDDEN_KEY_TYPES: tuple[str, ...] = ("rsa", "ecdsa", "dsa")

SSHD_CONFIG = """\
# provisioning sandbox host: written by the Custom Cloud emulator
Port 22
ListenAddress 0.0.0.0
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
UsePAM no
UseDNS no
PrintMotd no
MaxStartups 100:30:200
MaxSessions 64
AcceptEnv LANG LC_*
PidFile /run/sshd.pid
Subsystem sftp /usr/lib/openssh/sftp-server
"""


def fingerprint(public_key: str) -> str:
    """SHA256 fingerprint (`SHA256:…`) of an OpenSSH public key line."""
    out = run(["ssh-keygen", "-l", "-E", "sha256", "-f", "-"], input=public_key)
    return out.split()[1]


def _new_host_key(kind: str, comment: str) -> tuple[bytes, str]:
    with tempfile.TemporaryDirectory(prefix="cc-hostkey-") as tmp:
        path = Path(tmp, "key")
        run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", comment, "-f", str(path)])
        return path.read_bytes(), path.with_suffix(".pub").read_text()


def install_sshd(upper: Path, *, hostname: str, authorized_key: str | None) -> list[str]:
    """Write host keys, sshd_config and root's authorized key into the disk; return the fingerprints."""
    prints: list[str] = []
    for kind in KEY_TYPES:
        private, public = _new_host_key(kind, f"root@{hostname}")
        put_file(upper, f"/etc/ssh/ssh_host_{kind}_key", private, 0o600)
        put_file(upper, f"/etc/ssh/ssh_host_{kind}_key.pub", public, 0o644)
        prints.append(fingerprint(public))
    for kind in HIDDEN_KEY_TYPES:
        whiteout(upper, f"/etc/ssh/ssh_host_{kind}_key")
        whiteout(upper, f"/etc/ssh/ssh_host_{kind}_key.pub")
    put_file(upper, "/etc/ssh/sshd_config", SSHD_CONFIG)
    if authorized_key:
        put_file(upper, "/root/.ssh/authorized_keys", authorized_key.strip() + "\n", 0o600, dir_mode=0o700)
    return prints
