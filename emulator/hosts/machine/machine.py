"""`MachineHost`: the `machine` host backend (Debian 12 machines booted by systemd-nspawn)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from provisioning.providers.custom_cloud.api import catalog

from .. import HostEndpoint
from . import network
from ._run import HostConflict, HostError, HostUnavailable, api_errors
from ._tools import image_problem
from .cache import PackageCache
from .cgroups import Limits, MachineCgroup
from .claims import RangeClaim
from .disk import MachineDisk
from .netns import Wiring, netns_name, plug, unplug
from .pidfile import PidFile
from .volumes import AttachedVolumes, bind_arguments, container_init, mount_live, unmount_live, volume_folder

__all__ = ["RUNNING", "MachineHost", "MachineSpec"]

RUNNING = frozenset({"provisioning", "running", "starting", "rebooting"})
"""Instance statuses whose machine runs."""

LAUNCH = r"""
for procs in $MACHINE_CGROUPS; do echo $$ > "$procs"; done
mount -t overlay overlay -o "$MACHINE_OVERLAY" "$MACHINE_ROOT"
unset MACHINE_CGROUPS MACHINE_OVERLAY MACHINE_ROOT
exec "$@"
"""
"""Runs as the machine's launcher, in its own mount namespace: join the machine's cgroups, mount its root
(the overlay exists only in this namespace: it goes when the machine's last process does), then become
systemd-nspawn."""


HOST_LIMITS: dict[str, int] = {
    "/proc/sys/fs/inotify/max_user_instances": 8192,
    "/proc/sys/fs/inotify/max_user_watches": 524288,
}
"""Host-wide limits raised (never lowered) at start: every machine's systemd, journald, logind … holds
inotify instances of root's, the host's user; at Debian's default of 128, the twelfth machine booting at once
fails with `Failed to allocate manager object: Too many open files`."""


def raise_host_limits() -> None:
    """Raise the host limits in `HOST_LIMITS` that are below their value."""
    for path, wanted in HOST_LIMITS.items():
        try:
            if int(Path(path).read_text()) < wanted:
                Path(path).write_text(str(wanted))
        except (OSError, ValueError) as exc:
            raise HostError(f"cannot raise {path} to {wanted}: {exc}") from exc


@dataclass(slots=True)
class MachineSpec:
    """What a machine needs to (re)boot, kept in `<root>/instances/<id>/spec.json` for its life."""

    id: str
    name: str
    vpc_key: str
    vpc_cidr: str
    private_ip: str
    public_ip: str | None
    machine_id: str
    fingerprints: list[str]
    cloud_init: bool = False
    """Whether the instance has user data: cloud-init runs at its boots (its NoCloud seed is on its disk)."""
    machine_type: str = ""
    """Its machine type, whose CPUs and memory are the machine's limits from its next boot."""

    def limits(self) -> Limits | None:
        """The CPUs and memory of its machine type (None for a type the catalog does not know)."""
        known = catalog.MACHINE_TYPES.get(self.machine_type)
        return Limits(cpus=known.vcpus, memory_bytes=known.memory_gb << 30) if known else None


class MachineHost:
    """Instances are Debian 12 machines: systemd-nspawn boots each over its own overlay of the image."""

    name = "machine"

    def __init__(
        self,
        root: Path,
        *,
        image: Path,
        public_pool: str,
        default_cidr: str,
        boot_timeout: float = 60.0,
        stop_grace: float = 20.0,
    ) -> None:
        problem = image_problem(image)
        if problem:
            raise HostUnavailable(problem)
        self.root = root.resolve()
        self.image = image.resolve()
        self.public_pool = public_pool
        self.default_cidr = default_cidr
        self.boot_timeout = boot_timeout
        self.stop_grace = stop_grace
        self.cloud = hashlib.sha1(str(self.root).encode()).hexdigest()[:12]
        self.tag = "provisioning-machine:" + self.cloud
        pool = ipaddress.IPv4Network(public_pool)
        self.cache_ip = str(pool.network_address + 1)  # never handed out: the API skips `.1` of a pool
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.RLock()  # bridges, the cache, the maps
        self._instance_locks: dict[str, threading.Lock] = {}
        self._volumes_lock = threading.Lock()  # attach/detach and a boot's binds wait on each other only
        (self.root / "instances").mkdir(parents=True, exist_ok=True)
        self._claims = [RangeClaim(public_pool, exclusive=True, what="public address pool")]
        self.cache = PackageCache(
            self.root / "package-cache", bridge="ccp" + self.cloud[:10], address=self.cache_ip, tag=self.tag
        )
        try:
            self._claims.append(RangeClaim(default_cidr, exclusive=False, what="default VPC CIDR"))
            self._remove_leftovers()
            ours = set(network.our_links(self.tag))
            for cidr, what in ((public_pool, "public address pool"), (default_cidr, "default VPC CIDR")):
                network.check_free(cidr, allowed_devices=ours, what=what)
            for cidr in (public_pool, default_cidr):
                network.ensure_guard(cidr)
            raise_host_limits()
            self.cache.start()
        except BaseException:
            self.cache.stop()
            self._release_claims()
            raise

    # --- paths and records ------------------------------------------------------------------------

    def folder(self, iid: str) -> Path:
        """State folder of one instance."""
        return self.root / "instances" / iid

    def disk(self, iid: str) -> MachineDisk:
        """The instance's disk."""
        return MachineDisk(self.folder(iid) / "disk", self.image)

    def attached(self, iid: str) -> AttachedVolumes:
        """The volumes attached to the instance."""
        return AttachedVolumes(self.folder(iid), self.root / "volumes")

    def cgroup(self, iid: str) -> MachineCgroup:
        """The instance's cgroups."""
        return MachineCgroup(self.cloud, iid)

    def spec(self, iid: str) -> MachineSpec:
        """The instance's record."""
        try:
            return MachineSpec(**json.loads((self.folder(iid) / "spec.json").read_text()))
        except FileNotFoundError as exc:
            raise HostError(f"no machine for instance {iid!r}") from exc

    def _save(self, spec: MachineSpec) -> None:
        path = self.folder(spec.id) / "spec.json"
        path.with_name("spec.json.tmp").write_text(json.dumps(asdict(spec)))
        os.replace(path.with_name("spec.json.tmp"), path)

    def wiring(self, spec: MachineSpec) -> Wiring:
        """How the instance is plugged into its VPC."""
        return Wiring(
            netns=netns_name(spec.id),
            veth=network.veth_name(spec.id),
            bridge=network.bridge_name(spec.vpc_key),
            private_ip=spec.private_ip,
            prefixlen=ipaddress.IPv4Network(spec.vpc_cidr).prefixlen,
            gateway=network.gateway_of(spec.vpc_cidr),
            public_ip=spec.public_ip,
            cache_ip=self.cache_ip,
        )

    @contextmanager
    def _instance(self, iid: str) -> Iterator[None]:
        with self._lock:
            lock = self._instance_locks.setdefault(iid, threading.Lock())
        with lock, api_errors():
            yield

    # --- HostBackend ------------------------------------------------------------------------------

    def create(self, instance: dict[str, Any]) -> HostEndpoint:
        """Make the disk (machine id, host key, hostname, root's key), boot the machine, return once sshd
        accepts."""
        iid = instance["id"]
        vpc = instance.get("vpc")
        spec = MachineSpec(
            id=iid,
            name=instance["name"],
            vpc_key=vpc or f"default:{instance['project_id']}",
            vpc_cidr=str(instance.get("vpc_cidr") or self.default_cidr),
            private_ip=instance["private_ip"],
            public_ip=instance.get("public_ip"),
            machine_id="",
            fingerprints=[],
            cloud_init=bool(instance.get("user_data")),
            machine_type=str(instance.get("machine_type") or ""),
        )
        with self._instance(iid):
            if spec.public_ip and (
                ipaddress.IPv4Address(spec.public_ip) not in ipaddress.IPv4Network(self.public_pool)
                or spec.public_ip == self.cache_ip
            ):
                raise HostConflict(
                    f"public address {spec.public_ip} is not one of the pool {self.public_pool}"
                )
            folder = self.folder(iid)
            try:
                disk = self.disk(iid)
                disk.create()
                spec.machine_id, spec.fingerprints = disk.personalize(
                    hostname=spec.name,
                    private_ip=spec.private_ip,
                    cache_ip=self.cache_ip,
                    authorized_key=instance.get("ssh_public_key"),
                )
                if spec.cloud_init:
                    disk.seed_cloud_init(
                        instance_id=iid,
                        hostname=spec.name,
                        user_data=instance["user_data"],
                        authorized_key=instance.get("ssh_public_key"),
                    )
                self._save(spec)
                self._boot(spec)
            except BaseException:
                self._halt(iid)
                shutil.rmtree(folder, ignore_errors=True)
                raise
        return self.endpoint(spec)

    def start(self, instance_id: str) -> None:
        """Boot the machine again from its disk; return once sshd accepts."""
        with self._instance(instance_id):
            if self._pid(instance_id) is None:
                self._halt(instance_id)  # whatever a crash left
                self._boot(self.spec(instance_id))

    def stop(self, instance_id: str) -> None:
        """Power the machine off (systemd shuts down in order); its disk stays."""
        with self._instance(instance_id):
            self._halt(instance_id)

    def reboot(self, instance_id: str) -> None:
        """Power off, then boot again."""
        with self._instance(instance_id):
            self._halt(instance_id)
            self._boot(self.spec(instance_id))

    def delete(self, instance_id: str, *, retained_volume_id: str | None = None) -> None:
        """Power off, remove namespace, veth and cgroups (the bridge when last); keep the disk's own writes
        as a volume or drop them."""
        with self._instance(instance_id):
            self._halt(instance_id)
            folder = self.folder(instance_id)
            disk = self.disk(instance_id)
            if retained_volume_id and disk.exists():
                disk.move_to(self.root / "volumes" / retained_volume_id)
            shutil.rmtree(folder, ignore_errors=True)
        with self._lock:
            self._instance_locks.pop(instance_id, None)

    def resize(self, instance_id: str, machine_type: str) -> None:
        """Record the stopped instance's new machine type: its CPUs and memory limit its next boot."""
        with self._instance(instance_id):
            spec = self.spec(instance_id)
            spec.machine_type = machine_type
            self._save(spec)

    def delete_volume(self, volume_id: str) -> None:
        """Drop a retained disk (its folder under `<root>/volumes`); nothing to do for other volumes."""
        shutil.rmtree(self.root / "volumes" / volume_id, ignore_errors=True)

    def attach_volume(self, instance_id: str, volume_id: str) -> None:
        """Show the volume's folder at `/mnt/volumes/<volume id>`: at once if the machine runs, and at every
        boot. A failure leaves nothing recorded (the API then keeps the volume detached)."""
        attached = self.attached(instance_id)
        with self._volumes_lock, api_errors():
            attached.add(volume_id)
            try:
                init = self._init_pid(instance_id)
                if init is not None:
                    mount_live(init, volume_folder(self.root / "volumes", volume_id), volume_id)
            except BaseException:
                attached.remove(volume_id)
                raise

    def detach_volume(self, instance_id: str, volume_id: str) -> None:
        """Unmount the volume from the machine (if it runs) and from its next boots; its folder stays."""
        with self._volumes_lock, api_errors():
            self.attached(instance_id).remove(volume_id)
            init = self._init_pid(instance_id)
            if init is not None:
                unmount_live(init, volume_id)

    def restore(self, statuses: dict[str, str]) -> None:
        """At emulator start: boot the machines of running instances, stop the others, drop unknown ones
        (all machines at once; the first failure is raised once every machine has been dealt with)."""

        def settle(iid: str) -> None:
            status = statuses.get(iid)
            if status is None or status in ("deleting", "deleted"):
                self.delete(iid)
            elif status in RUNNING:
                self.start(iid)
            else:
                self.stop(iid)

        self._each_machine(settle)
        with self._lock:
            self._remove_leftovers()

    def close(self) -> None:
        """At emulator shutdown: power off every machine (all at once), stop the cache, remove bridges;
        disks stay."""
        try:
            self._each_machine(self.stop)
        finally:
            with self._lock:
                self.cache.stop()
                self._remove_leftovers()
                self._release_claims()

    def _each_machine(self, action: Callable[[str], None]) -> None:
        folders = sorted((self.root / "instances").iterdir())
        if not folders:
            return
        with ThreadPoolExecutor(max_workers=min(len(folders), 32)) as pool:
            futures = [pool.submit(action, folder.name) for folder in folders]
        errors = [error for f in futures if (error := f.exception()) is not None]
        if errors:
            raise errors[0]

    # --- helpers ----------------------------------------------------------------------------------

    def endpoint(self, spec: MachineSpec) -> HostEndpoint:
        """SSH endpoint of an instance: its public address if any, else its private one, port 22."""
        return HostEndpoint(
            ssh_host=spec.public_ip or spec.private_ip, ssh_port=22, fingerprints=spec.fingerprints
        )

    def running(self) -> dict[str, int]:
        """Instance id → host pid of its systemd-nspawn, for every machine running now."""
        found = {}
        for folder in (self.root / "instances").iterdir():
            pid = self._pid(folder.name)
            if pid is not None:
                found[folder.name] = pid
        return found

    def _pid(self, iid: str) -> int | None:
        return PidFile(self.folder(iid) / "pid").alive()

    def _init_pid(self, iid: str) -> int | None:
        """The running machine's PID 1 on the host once it is systemd (its mounts are set up then), waiting
        for a machine that is starting; None when it does not run."""
        deadline = time.monotonic() + self.boot_timeout
        while (nspawn := self._pid(iid)) is not None and time.monotonic() < deadline:
            init = container_init(nspawn)
            if init is not None and _command_name(init) == "systemd":
                return init
            time.sleep(0.02)
        return None

    def _release_claims(self) -> None:
        for claim in reversed(self._claims):
            if claim.release():
                network.remove_guard(claim.cidr)
        self._claims.clear()

    def _remove_leftovers(self) -> None:
        """This cloud's veths and VPC bridges that no running machine uses."""
        live = {network.veth_name(iid) for iid in self.running()}
        links = network.our_links(self.tag)
        for name, kind in links.items():
            if kind == "veth" and name not in live:
                network.detach(name, None)
        for name, kind in links.items():
            if kind == "bridge" and name != self.cache.bridge:
                network.remove_bridge_if_unused(name)

    def _command(self, spec: MachineSpec, merged: Path, binds: list[str]) -> list[str]:
        return [
            "systemd-nspawn",
            "--quiet",
            "--boot",
            "--register=no",
            "--keep-unit",
            f"--directory={merged}",
            f"--machine={netns_name(spec.id)}",
            f"--hostname={spec.name}",
            f"--uuid={spec.machine_id}",
            f"--network-namespace-path={self.wiring(spec).path}",
            "--kill-signal=SIGRTMIN+4",  # poweroff
            "--resolv-conf=off",
            "--timezone=off",
            "--link-journal=no",
            "--console=read-only",
            *binds,
            # systemd as PID 1 of a container reads its arguments as the kernel command line, where
            # cloud-init's generator looks first: on for instances with user data, else the image's
            # /etc/cloud/cloud-init.disabled keeps it out of the boot.
            *(["cloud-init=enabled"] if spec.cloud_init else []),
        ]

    def _boot(self, spec: MachineSpec) -> None:
        folder = self.folder(spec.id)
        disk = self.disk(spec.id)
        merged = folder / "root"
        merged.mkdir(exist_ok=True)
        wiring = self.wiring(spec)
        with self._lock:
            network.ensure_bridge(spec.vpc_key, spec.vpc_cidr, self.tag)
            plug(wiring, self.tag)
        cgroup = self.cgroup(spec.id)
        procs = cgroup.create(spec.limits())
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "SYSTEMD_NSPAWN_LOCK": "0",
            "MACHINE_CGROUPS": " ".join(str(p) for p in procs),
            "MACHINE_OVERLAY": disk.overlay_options(),
            "MACHINE_ROOT": str(merged),
        }
        log = folder / "console.log"
        with open(log, "ab") as out:
            try:
                launcher = [
                    "unshare",
                    "--mount",
                    "--propagation",
                    "private",
                    "/bin/sh",
                    "-ec",
                    LAUNCH,
                    "launch",
                ]
                # an attach is either in the binds or finds the pid file (and waits for the machine's PID 1)
                with self._volumes_lock:
                    binds = bind_arguments(self.attached(spec.id))
                    proc = subprocess.Popen(
                        [*launcher, *self._command(spec, merged, binds)],
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=out,
                        env=env,
                        start_new_session=True,
                        close_fds=True,
                    )
                    PidFile(folder / "pid").write(proc.pid)
            except OSError as exc:
                raise HostError(f"cannot start the machine of {spec.id}: {exc}") from exc
        with self._lock:
            self._procs[spec.id] = proc
        self._wait_ssh(spec, proc, log)

    def _wait_ssh(self, spec: MachineSpec, proc: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + self.boot_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise HostError(f"the machine of {spec.id} exited while booting", stderr=tail)
            try:
                with socket.create_connection((spec.private_ip, 22), timeout=0.5) as sock:
                    sock.settimeout(2.0)
                    if sock.recv(4).startswith(b"SSH-"):
                        return
            except OSError:
                pass
            time.sleep(0.01)
        raise HostError(
            f"sshd of {spec.id} did not answer on {spec.private_ip}:22 in {self.boot_timeout:g} s"
        )

    def _halt(self, iid: str) -> None:
        """Power the machine off (SIGTERM to nspawn: poweroff inside), kill what is left after the grace
        period, then remove its cgroups, veth and namespace (and its VPC bridge when it was the last)."""
        pidfile = PidFile(self.folder(iid) / "pid")
        pid = pidfile.alive()
        with self._lock:
            proc = self._procs.pop(iid, None)
        if pid is None and proc is not None and proc.poll() is None:
            pid = proc.pid
        if pid is not None:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + self.stop_grace
            while time.monotonic() < deadline and not _gone(pid, proc):
                time.sleep(0.02)
        cgroup = self.cgroup(iid)
        left = cgroup.kill()
        if proc is not None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        if left:
            raise HostError(f"processes {sorted(left)} of the machine of {iid} survived SIGKILL")
        cgroup.remove()
        pidfile.clear()
        try:
            spec = self.spec(iid)
        except HostError:
            return
        wiring = self.wiring(spec)
        with self._lock:
            unplug(wiring.netns, wiring.veth, wiring.public_ip)
            network.remove_bridge_if_unused(wiring.bridge)


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _gone(pid: int, proc: subprocess.Popen[bytes] | None) -> bool:
    if proc is not None:
        return proc.poll() is not None
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"
