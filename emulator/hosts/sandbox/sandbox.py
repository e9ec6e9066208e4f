"""`SandboxHost`: the `sandbox` host backend (real Linux-namespace machines behind instances)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ...errors import ApiError, Conflict
from .. import HostEndpoint
from . import network
from ._run import SandboxConflict, SandboxError
from .claims import RangeClaim
from .cleanup import reconcile, remove_leftovers
from .filesystem import HIDDEN_PATHS, Disk, put_file
from .process import PidFile, spawn, terminate, wait_for_namespace
from .services import install_services
from .sshd import install_sshd
from .volumes import AttachedVolumes, mount_live, unmount_live, volume_folder

__all__ = ["SandboxHost", "Spec"]


@contextmanager
def api_errors() -> Iterator[None]:
    """Report sandbox failures as API errors: a conflict → 409 `conflict`, anything else → 500 `internal`."""
    try:
        yield
    except SandboxConflict as exc:
        raise Conflict(str(exc), details={"field": "vpc"}) from exc
    except SandboxError as exc:
        raise ApiError(f"sandbox host failed: {exc}") from exc


RUNNING = frozenset({"provisioning", "running", "starting", "rebooting"})
"""Instance statuses whose sandbox runs."""


@dataclass(slots=True)
class Spec:
    """What a sandbox needs to (re)start, kept in `<root>/instances/<id>/spec.json` for its life."""

    id: str
    name: str
    vpc_key: str
    vpc_cidr: str
    private_ip: str
    public_ip: str | None
    fingerprints: list[str]


class SandboxHost:
    """Instances are namespaces + overlayfs + a real sshd on this machine (Linux, root)."""

    name = "sandbox"

    def __init__(
        self,
        root: Path,
        *,
        public_pool: str,
        default_cidr: str,
        boot_timeout: float = 20.0,
        stop_grace: float = 5.0,
        extra_hidden: tuple[str, ...] = (),
    ) -> None:
        self.root = root.resolve()
        self.public_pool = public_pool
        self.default_cidr = default_cidr
        self.boot_timeout = boot_timeout
        self.stop_grace = stop_grace
        self.hidden = [*HIDDEN_PATHS, str(self.root.parent), *extra_hidden]
        self.tag = "provisioning-sandbox:" + hashlib.sha1(str(self.root).encode()).hexdigest()[:12]
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.RLock()
        self._volumes_lock = threading.Lock()  # attach/detach only wait on each other, never on a boot
        (self.root / "instances").mkdir(parents=True, exist_ok=True)
        self._claims = [RangeClaim(public_pool, exclusive=True, what="public address pool")]
        try:
            self._claims.append(RangeClaim(default_cidr, exclusive=False, what="default VPC CIDR"))
            remove_leftovers(self)
            ours = set(network.our_links(self.tag))
            for cidr, what in ((public_pool, "public address pool"), (default_cidr, "default VPC CIDR")):
                network.check_free(cidr, allowed_devices=ours, what=what)
            for cidr in (public_pool, default_cidr):
                network.ensure_guard(cidr)
        except BaseException:
            self._release_claims()
            raise

    # --- paths ------------------------------------------------------------------------------------

    def folder(self, iid: str) -> Path:
        """State folder of one instance."""
        return self.root / "instances" / iid

    def _spec(self, iid: str) -> Spec:
        try:
            return Spec(**json.loads((self.folder(iid) / "spec.json").read_text()))
        except FileNotFoundError as exc:
            raise SandboxError(f"no sandbox for instance {iid!r}") from exc

    # --- HostBackend ------------------------------------------------------------------------------

    def create(self, instance: dict[str, Any]) -> HostEndpoint:
        """Make the disk (host keys, sshd, svc), boot the sandbox, return once sshd accepts."""
        iid = instance["id"]
        vpc = instance.get("vpc")
        spec = Spec(
            id=iid,
            name=instance["name"],
            vpc_key=vpc or f"default:{instance['project_id']}",
            vpc_cidr=str(instance.get("vpc_cidr") or self.default_cidr),
            private_ip=instance["private_ip"],
            public_ip=instance.get("public_ip"),
            fingerprints=[],
        )
        if spec.public_ip and ipaddress.IPv4Address(spec.public_ip) not in ipaddress.IPv4Network(
            self.public_pool
        ):
            raise SandboxConflict(f"public address {spec.public_ip} is outside the pool {self.public_pool}")
        folder = self.folder(iid)
        with self._lock, api_errors():
            try:
                disk = Disk(folder / "disk")
                disk.create(self.hidden)
                spec.fingerprints = install_sshd(
                    disk.upper, hostname=spec.name, authorized_key=instance.get("ssh_public_key")
                )
                put_file(disk.upper, "/etc/hostname", spec.name + "\n")
                put_file(disk.upper, "/etc/hosts", f"127.0.0.1\tlocalhost\n{spec.private_ip}\t{spec.name}\n")
                put_file(disk.upper, "/etc/resolv.conf", "# sandbox host: no DNS (local only)\n")
                (folder / "spec.json").write_text(json.dumps(asdict(spec)))
                self._boot(spec)
            except BaseException:
                self._halt(iid)
                shutil.rmtree(folder, ignore_errors=True)
                raise
        return self.endpoint(spec)

    def start(self, instance_id: str) -> None:
        """Boot the sandbox again (sshd and the enabled services); return once sshd accepts."""
        with self._lock, api_errors():
            if self._pid(instance_id) is None:
                self._boot(self._spec(instance_id))

    def stop(self, instance_id: str) -> None:
        """Stop every process of the sandbox (its disk stays)."""
        with self._lock, api_errors():
            self._halt(instance_id)

    def reboot(self, instance_id: str) -> None:
        """Stop, then start."""
        with self._lock, api_errors():
            self._halt(instance_id)
            self._boot(self._spec(instance_id))

    def delete(self, instance_id: str, *, retained_volume_id: str | None = None) -> None:
        """Remove processes, namespaces, veth (the bridge when last); keep the disk as a volume or drop it."""
        with self._lock, api_errors():
            self._halt(instance_id)
            folder = self.folder(instance_id)
            disk = Disk(folder / "disk")
            if retained_volume_id and disk.exists():
                disk.move_to(self.root / "volumes" / retained_volume_id)
            shutil.rmtree(folder, ignore_errors=True)

    def attach_volume(self, instance_id: str, volume_id: str) -> None:
        """Show the volume's folder at `/mnt/volumes/<volume id>`: at once if the sandbox runs, and at every
        boot. A failure leaves nothing recorded (the API then keeps the volume detached)."""
        attached = self._attached(instance_id)
        with self._volumes_lock, api_errors():
            attached.add(volume_id)
            pid = self._pid(instance_id)
            try:
                if pid is not None:
                    source = volume_folder(self.root / "volumes", volume_id)
                    mount_live(pid, self.folder(instance_id) / "root", source, volume_id)
            except BaseException:
                attached.remove(volume_id)
                raise

    def detach_volume(self, instance_id: str, volume_id: str) -> None:
        """Unmount the volume from the sandbox (if it runs) and from its next boots; its folder stays."""
        with self._volumes_lock, api_errors():
            self._attached(instance_id).remove(volume_id)
            pid = self._pid(instance_id)
            if pid is not None:
                unmount_live(pid, self.folder(instance_id) / "root", volume_id)

    def delete_volume(self, volume_id: str) -> None:
        """Drop a retained disk (its folder under `<root>/volumes`); nothing to do for other volumes."""
        with self._lock:
            Disk(self.root / "volumes" / volume_id).remove()

    def restore(self, statuses: dict[str, str]) -> None:
        """At emulator start: boot the sandboxes of running instances, stop the others, drop unknown ones."""
        with self._lock:
            reconcile(self, statuses)

    def close(self) -> None:
        """At emulator shutdown: stop every sandbox, remove bridges and guard routes; disks stay."""
        with self._lock:
            for folder in sorted((self.root / "instances").iterdir()):
                self._halt(folder.name)
            remove_leftovers(self)
            self._release_claims()

    def _release_claims(self) -> None:
        """Give up the address ranges; a guard route goes with the last cloud that claimed its range."""
        for claim in reversed(self._claims):
            if claim.release():
                network.remove_guard(claim.cidr)
        self._claims.clear()

    # --- helpers ----------------------------------------------------------------------------------

    def endpoint(self, spec: Spec) -> HostEndpoint:
        """SSH endpoint of an instance: its public address if any, else its private one, port 22."""
        return HostEndpoint(
            ssh_host=spec.public_ip or spec.private_ip, ssh_port=22, fingerprints=spec.fingerprints
        )

    def running(self) -> dict[str, int]:
        """Instance id → host pid of its `unshare`, for every sandbox running now."""
        found = {}
        for folder in (self.root / "instances").iterdir():
            pid = self._pid(folder.name)
            if pid is not None:
                found[folder.name] = pid
        return found

    def _pid(self, iid: str) -> int | None:
        return PidFile(self.folder(iid) / "pid").alive()

    def _attached(self, iid: str) -> AttachedVolumes:
        return AttachedVolumes(self.folder(iid), self.root / "volumes")

    def _sync_volumes(self, iid: str, pid: int, booted: list[str]) -> None:
        """After a boot: mount what was attached while it booted, unmount what was detached meanwhile."""
        merged = self.folder(iid) / "root"
        with self._volumes_lock:
            ids = self._attached(iid).ids()
            for vid in ids:
                mount_live(pid, merged, volume_folder(self.root / "volumes", vid), vid)
            for vid in set(booted) - set(ids):
                unmount_live(pid, merged, vid)

    def _boot(self, spec: Spec) -> None:
        folder = self.folder(spec.id)
        disk = Disk(folder / "disk")
        install_services(disk.upper)
        merged = folder / "root"
        merged.mkdir(exist_ok=True)
        config = folder / "init.json"
        with self._volumes_lock:
            volumes = self._attached(spec.id).mounts()
        config.write_text(
            json.dumps(
                {
                    "upper": str(disk.upper),
                    "work": str(disk.work),
                    "merged": str(merged),
                    "hostname": spec.name,
                    "volumes": volumes,
                }
            )
        )
        bridge = network.ensure_bridge(spec.vpc_key, spec.vpc_cidr, self.tag)
        proc = spawn(config, folder / "console.log")
        self._procs[spec.id] = proc
        PidFile(folder / "pid").write(proc.pid)
        wait_for_namespace(proc.pid)
        network.attach(
            network.Attachment(
                pid=proc.pid,
                veth=network.veth_name(spec.id),
                bridge=bridge,
                private_ip=spec.private_ip,
                prefixlen=ipaddress.IPv4Network(spec.vpc_cidr).prefixlen,
                gateway=network.gateway_of(spec.vpc_cidr),
                public_ip=spec.public_ip,
            ),
            self.tag,
        )
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.close()
        self._wait_ssh(spec, proc, folder / "console.log")
        self._sync_volumes(spec.id, proc.pid, [v["target"].rsplit("/", 1)[1] for v in volumes])

    def _wait_ssh(self, spec: Spec, proc: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + self.boot_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise SandboxError(f"sandbox of {spec.id} exited while booting", stderr=tail)
            try:
                with socket.create_connection((spec.private_ip, 22), timeout=0.5) as sock:
                    if sock.recv(4).startswith(b"SSH-"):
                        return
            except OSError:
                pass
            time.sleep(0.01)
        raise SandboxError(
            f"sshd of {spec.id} did not answer on {spec.private_ip}:22 in {self.boot_timeout:g} s"
        )

    def _halt(self, iid: str) -> None:
        """Kill the sandbox's processes and unplug it; remove its VPC bridge when it was the last."""
        pidfile = PidFile(self.folder(iid) / "pid")
        pid = pidfile.alive()
        proc = self._procs.pop(iid, None)
        if pid is not None:
            terminate(pid, proc, grace=self.stop_grace)
        elif proc is not None and proc.poll() is None:
            terminate(proc.pid, proc, grace=self.stop_grace)
        pidfile.clear()
        try:
            spec = self._spec(iid)
        except SandboxError:
            return
        network.detach(network.veth_name(iid), spec.public_ip)
        network.remove_bridge_if_unused(network.bridge_name(spec.vpc_key))
