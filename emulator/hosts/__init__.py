"""Host backends: what (if anything) runs behind an instance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["HostBackend", "HostEndpoint", "RecordHostBackend", "make_host_backend", "resolve_host_backend"]


@dataclass(frozen=True, slots=True)
class HostEndpoint:
    """Where an instance's host answers SSH."""

    ssh_host: str | None = None
    """SSH host (loopback or a bridge made for this run)."""
    ssh_port: int | None = None
    """SSH port."""
    fingerprints: list[str] = field(default_factory=list)
    """SHA256 host key fingerprints."""


class HostBackend(Protocol):
    """Called by the backend on every lifecycle action of an instance."""

    name: str

    def create(self, instance: dict[str, Any]) -> HostEndpoint:
        """Make a host for a new instance; return its SSH endpoint."""

    def start(self, instance_id: str) -> None:
        """Start the host."""

    def stop(self, instance_id: str) -> None:
        """Stop the host."""

    def reboot(self, instance_id: str) -> None:
        """Reboot the host."""

    def delete(self, instance_id: str, *, retained_volume_id: str | None = None) -> None:
        """Remove the host (with `retained_volume_id`, keep its disk as that volume)."""

    # Optional (the backend calls them when present): `restore(statuses: dict[str, str])` once at start with
    # every instance's id → status; `close()` at shutdown; `delete_volume(volume_id)`;
    # `attach_volume(instance_id, volume_id)` and `detach_volume(instance_id, volume_id)` inside the write
    # that attaches or detaches, `resize(instance_id, machine_type)` inside the write that changes a stopped
    # instance's machine type (an error there undoes it).


class RecordHostBackend:
    """No hosts: instances are records only (no SSH endpoint, no fingerprints)."""

    name = "record"

    def create(self, instance: dict[str, Any]) -> HostEndpoint:
        """No host: an empty endpoint."""
        return HostEndpoint()

    def start(self, instance_id: str) -> None:
        """Nothing to start."""

    def stop(self, instance_id: str) -> None:
        """Nothing to stop."""

    def reboot(self, instance_id: str) -> None:
        """Nothing to reboot."""

    def delete(self, instance_id: str, *, retained_volume_id: str | None = None) -> None:
        """Nothing to remove."""


def resolve_host_backend(name: str, *, image: str | None = None) -> tuple[str, str | None]:
    """The backend `name` stands for, and for `auto` why: `machine` where machine hosts can run (Linux, root,
    the tools and the Debian 12 image: `image`, else the default one), else `record`."""
    if name != "auto":
        return name, None
    from .machine import machine_unavailable_reason

    no_machine = machine_unavailable_reason(Path(image) if image else None)
    if no_machine is None:
        return "machine", "Linux, root, the tools and the Debian 12 image are here"
    return "record", f"no machine hosts: {no_machine}"


def make_host_backend(name: str, settings: Settings | None = None) -> HostBackend:
    """The host backend called `name`: `record` (no hosts) or `machine` (needs `settings`)."""
    if name == "record":
        return RecordHostBackend()
    if name == "machine":
        from .machine import HostUnavailable, MachineHost, default_image, machine_unavailable_reason

        if settings is None:
            raise ValueError("the machine host backend needs the settings")
        image = Path(settings.machine_image) if settings.machine_image else default_image()
        reason = machine_unavailable_reason(image)
        if reason:
            raise HostUnavailable(reason)
        if settings.machine_dir:
            root = Path(settings.machine_dir)
        elif settings.state_path != ":memory:":
            root = Path(settings.state_path).resolve().parent / "machines"
        else:
            raise ValueError("the machine host backend needs a state file or settings.machine_dir")
        return MachineHost(
            root, image=image, public_pool=settings.public_pool, default_cidr=settings.default_private_cidr
        )
    raise ValueError(f"unknown host backend {name!r} (available: record, machine, auto)")
