"""What the e2e tests ask of a host that differs between host kinds: shell commands about a service (under
`svc` on sandbox hosts, under systemd on machine hosts: whichever the host has) and where the local Custom
Cloud keeps an instance's disk on this machine."""

from __future__ import annotations

from pathlib import Path

from .taskservice_support import chosen_hosts


def _either(svc: str, systemd: str) -> str:
    return f"if command -v svc >/dev/null; then {svc}; else {systemd}; fi"


def enabled_and_running(name: str) -> str:
    """Exits 0 when the service `name` is started at boot and runs now."""
    return _either(f"svc is-enabled {name} && svc status {name}",
                   f"systemctl is-enabled -q {name} && systemctl is-active -q {name}")  # fmt: skip


def running(name: str) -> str:
    """Exits 0 when the service `name` runs now."""
    return _either(f"svc status {name}", f"systemctl is-active -q {name}")


def enabled(name: str) -> str:
    """Exits 0 when the service `name` is started at boot."""
    return _either(f"svc is-enabled {name}", f"systemctl is-enabled -q {name}")


def stop(name: str) -> str:
    """Stops the service `name` (it stays enabled)."""
    return _either(f"svc stop {name}", f"systemctl stop {name}")


def start(name: str) -> str:
    """Starts the service `name`."""
    return _either(f"svc start {name}", f"systemctl start {name}")


def hosts_folder(state_dir: Path) -> Path:
    """The folder of a cloud's hosts under its state folder (the hosts PROVISIONING_E2E_HOSTS chose)."""
    return state_dir / ("machines" if chosen_hosts() == "machine" else "sandboxes")


def instance_disk(state_dir: Path, instance_id: str) -> Path:
    """The instance's own writes over its image (the upper layer of its root overlay)."""
    return hosts_folder(state_dir) / "instances" / instance_id / "disk" / "upper"


def retained_disk(state_dir: Path, volume_id: str) -> Path:
    """The writes of a deleted instance kept as the volume `volume_id` (`keep_storage`)."""
    return hosts_folder(state_dir) / "volumes" / volume_id / "upper"
