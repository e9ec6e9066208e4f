"""SSH into machine hosts with the `ssh` binary, checking the host key against the API's fingerprints."""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["Ssh", "keypair"]


def keypair(folder: Path) -> tuple[Path, str]:
    """A fresh ed25519 key: (private key path, public key line). The private key is never printed."""
    key = folder / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "e2e", "-f", str(key)], check=True)
    return key, key.with_suffix(".pub").read_text().strip()


class Ssh:
    """`ssh root@host` with StrictHostKeyChecking against a known_hosts built from verified fingerprints."""

    def __init__(self, key: Path, known_hosts: Path) -> None:
        self.key = key
        self.known_hosts = known_hosts

    def trust(self, host: str, port: int, fingerprints: list[str]) -> None:
        """Scan the host's keys and keep those whose SHA256 fingerprint the API returned; fail otherwise."""
        scan = subprocess.run(["ssh-keyscan", "-T", "5", "-p", str(port), host],
                              capture_output=True, text=True, check=False)  # fmt: skip
        kept = []
        for line in scan.stdout.splitlines():
            if not line or line.startswith("#"):
                continue
            fp = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", "-"], input=line,
                                capture_output=True, text=True, check=True).stdout.split()[1]  # fmt: skip
            if fp in fingerprints:
                kept.append(line)
        assert kept, f"no host key of {host}:{port} matches the API's fingerprints {fingerprints}"
        with open(self.known_hosts, "a") as fh:
            fh.write("\n".join(kept) + "\n")

    def run(self, host: str, port: int, command: str, *, check: bool = True, timeout: float = 60) -> str:
        """Run `command` as root on `host`; return stdout."""
        done = subprocess.run(
            ["ssh", "-i", str(self.key), "-p", str(port), "-o", f"UserKnownHostsFile={self.known_hosts}",
             "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
             "-o", "LogLevel=ERROR", f"root@{host}", command],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if check:
            assert done.returncode == 0, (
                f"ssh {host} {command!r}: exit {done.returncode}: {done.stderr[-800:]}"
            )
        return done.stdout
