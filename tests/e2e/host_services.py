"""What the e2e tests ask of a machine host: shell commands about a systemd unit, and where the local Custom
Cloud keeps an instance's disk on this machine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

__all__ = [
    "enabled",
    "enabled_and_running",
    "hosts_folder",
    "instance_disk",
    "main_pid_command",
    "require_machine_hosts",
    "retained_disk",
    "running",
    "start",
    "stop",
]


def enabled_and_running(name: str) -> str:
    """Exits 0 when the unit `name` is started at boot and runs now."""
    return f"{enabled(name)} && {running(name)}"


def running(name: str) -> str:
    """Exits 0 when the unit `name` runs now."""
    return f"systemctl is-active -q {name}"


def enabled(name: str) -> str:
    """Exits 0 when the unit `name` is started at boot."""
    return f"systemctl is-enabled -q {name}"


def stop(name: str) -> str:
    """Stops the unit `name` (it stays enabled)."""
    return f"systemctl stop {name}"


def start(name: str) -> str:
    """Starts the unit `name`."""
    return f"systemctl start {name}"


def main_pid_command(name: str) -> str:
    """A shell command printing the pid of the unit `name`'s main process."""
    return f"systemctl show -p MainPID --value {name}"


def hosts_folder(state_dir: Path) -> Path:
    """The folder of a cloud's machines under its state folder."""
    return state_dir / "machines"


def instance_disk(state_dir: Path, instance_id: str) -> Path:
    """The instance's own writes over its image (the upper layer of its root overlay)."""
    return hosts_folder(state_dir) / "instances" / instance_id / "disk" / "upper"


def retained_disk(state_dir: Path, volume_id: str) -> Path:
    """The writes of a deleted instance kept as the volume `volume_id` (`keep_storage`)."""
    return hosts_folder(state_dir) / "volumes" / volume_id / "upper"


def require_machine_hosts(image: str | None = None) -> None:
    """Fail (never skip) when machine hosts cannot run here (with `image`, else the default one), saying how
    to get what is missing."""
    from provisioning.emulator.hosts.machine import machine_unavailable_reason

    reason = machine_unavailable_reason(Path(image) if image else None)
    missing = [tool for tool in ("ssh", "ssh-keyscan", "ssh-keygen") if shutil.which(tool) is None]
    if reason or missing:
        pytest.fail(
            f"machine host e2e tests need Linux, root, the tools and the image: {reason or ''} "
            f"{' '.join(missing)} (install: sudo scripts/system-packages.sh, which also builds the images "
            "with scripts/machine-image.sh and scripts/machine-image-taskservices.sh)",
            pytrace=False,
        )
