"""Host backends: what (if anything) runs behind an instance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["HostBackend", "HostEndpoint", "RecordHostBackend", "make_host_backend"]


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

    def delete(self, instance_id: str) -> None:
        """Remove the host."""


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

    def delete(self, instance_id: str) -> None:
        """Nothing to remove."""


def make_host_backend(name: str) -> HostBackend:
    """The host backend called `name` (only `record` so far)."""
    if name == "record":
        return RecordHostBackend()
    raise ValueError(f"unknown host backend {name!r} (available: record)")
