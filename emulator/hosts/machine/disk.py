"""A machine's disk: the upper and work folders of an overlay over the read-only image, and the files each
instance owns from its creation (hostname, machine id, SSH host key, root's authorized key, /etc/hosts, and
for an instance with user data its cloud-init NoCloud seed)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import tempfile
from pathlib import Path

from ._run import run
from .mirror import CACHE_HOST

__all__ = ["NOCLOUD_SEED", "VENDOR_DATA", "MachineDisk"]

NOCLOUD_SEED = "/var/lib/cloud/seed/nocloud"
"""Where cloud-init's NoCloud datasource reads an instance's meta-data, user-data and vendor-data."""

VENDOR_DATA = """#cloud-config
# The local Custom Cloud's vendor data: root logs in with the instance's ssh_public_key (the cloud's
# contract), so cloud-init must not turn root's key into a "log in as the default user" message.
disable_root: false
"""
"""The cloud's own cloud-config for every seeded instance; the user's user-data overrides it."""


def fingerprint(public_key: str) -> str:
    """SHA256 fingerprint (`SHA256:…`) of an OpenSSH public key line."""
    out = run(["ssh-keygen", "-l", "-E", "sha256", "-f", "-"], input=public_key)
    return out.split()[1]


class MachineDisk:
    """`<folder>/upper` (the instance's writes) and `<folder>/work` (overlayfs scratch) over `image`."""

    def __init__(self, path: Path, image: Path) -> None:
        self.path = path
        self.image = image
        self.upper = path / "upper"
        self.work = path / "work"

    def overlay_options(self) -> str:
        """The overlayfs mount options of the instance's root."""
        return f"lowerdir={self.image},upperdir={self.upper},workdir={self.work}"

    def exists(self) -> bool:
        """Whether the disk was created."""
        return self.upper.is_dir()

    def create(self) -> None:
        """Make an empty disk (everything reads through to the image)."""
        self.upper.mkdir(parents=True, exist_ok=True)
        self.work.mkdir(parents=True, exist_ok=True)
        os.chmod(self.upper, 0o755)

    def _mkdir(self, path: str) -> Path:
        """`upper/path`, each new component with the image's mode and owner (the upper's metadata wins)."""
        target, lower = self.upper, self.image
        for part in Path(path).relative_to("/").parts:
            target, lower = target / part, lower / part
            if not target.exists():
                target.mkdir()
                try:
                    st = lower.stat()
                except FileNotFoundError:
                    os.chmod(target, 0o755)
                    continue
                os.chown(target, st.st_uid, st.st_gid)
                os.chmod(target, stat.S_IMODE(st.st_mode))
        return target

    def put(self, path: str, content: str | bytes, mode: int = 0o644, *, dir_mode: int | None = None) -> None:
        """Write the instance's file `path` (owned by root)."""
        parent = self._mkdir(str(Path(path).parent))
        if dir_mode is not None:
            os.chmod(parent, dir_mode)
        target = parent / Path(path).name
        tmp = target.with_name(target.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(content.encode() if isinstance(content, str) else content)
        os.chmod(tmp, mode)
        os.chown(tmp, 0, 0)
        os.replace(tmp, target)

    def personalize(
        self, *, hostname: str, private_ip: str, cache_ip: str, authorized_key: str | None
    ) -> tuple[str, list[str]]:
        """Write what is this instance's alone; return (machine id, SSH host key fingerprints)."""
        machine_id = secrets.token_hex(16)
        self.put("/etc/machine-id", machine_id + "\n", 0o444)
        self.put("/etc/hostname", hostname + "\n")
        self.put(
            "/etc/hosts",
            f"127.0.0.1\tlocalhost\n{private_ip}\t{hostname}\n{cache_ip}\t{CACHE_HOST}\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n",
        )
        with tempfile.TemporaryDirectory(prefix="cc-hostkey-") as tmp:
            key = Path(tmp, "key")
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"root@{hostname}", "-f", str(key)])
            public = key.with_suffix(".pub").read_text()
            self.put("/etc/ssh/ssh_host_ed25519_key", key.read_bytes(), 0o600)
            self.put("/etc/ssh/ssh_host_ed25519_key.pub", public)
        if authorized_key:
            self.put("/root/.ssh/authorized_keys", authorized_key.strip() + "\n", 0o600, dir_mode=0o700)
        return machine_id, [fingerprint(public)]

    def seed_cloud_init(
        self, *, instance_id: str, hostname: str, user_data: str, authorized_key: str | None
    ) -> None:
        """Write the NoCloud seed cloud-init reads at boot: meta-data (instance id, hostname, the key),
        the instance's user-data as given, and the cloud's vendor-data."""
        meta = [f"instance-id: {json.dumps(instance_id)}", f"local-hostname: {json.dumps(hostname)}"]
        if authorized_key:
            meta += ["public-keys:", f"  - {json.dumps(authorized_key.strip())}"]
        self.put(f"{NOCLOUD_SEED}/meta-data", "\n".join(meta) + "\n", 0o600, dir_mode=0o700)
        self.put(f"{NOCLOUD_SEED}/user-data", user_data, 0o600)
        self.put(f"{NOCLOUD_SEED}/vendor-data", VENDOR_DATA, 0o600)

    def move_to(self, dest: Path) -> None:
        """Keep the disk elsewhere (a retained volume): its upper folder, the instance's own writes."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.work, ignore_errors=True)
        os.replace(self.path, dest)

    def remove(self) -> None:
        """Delete the disk."""
        shutil.rmtree(self.path, ignore_errors=True)
