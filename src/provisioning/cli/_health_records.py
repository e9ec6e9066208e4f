"""What `provisioning status` works with: a task service's recorded health step (`HealthProbe`) and what
running it again found (`ServiceStatus`). Data only, shared by the status command and the cluster view."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["HealthProbe", "ServiceStatus"]


@dataclass(frozen=True)
class HealthProbe:
    """One health step of a task service, as the stack recorded it: what to run again and where."""

    service: str
    """The task service's resource name (`db`; a replica's step adds `(replica-0)`)."""
    type: str
    """Its type token (`provisioning:taskservs:CustomDatabase`)."""
    server: str
    """The server it runs on (the stack's resource with that SSH endpoint), else `host:port`."""
    host: str
    """SSH host."""
    port: int
    """SSH port."""
    user: str
    """SSH user."""
    host_key: str = field(repr=False)
    """The pinned public host key (`ssh-ed25519 AAAA…`)."""
    private_key: str = field(repr=False)
    """The SSH private key (a secret: never printed)."""
    script: str = field(repr=False)
    """The health step's recorded command."""
    stdin: str | None = field(default=None, repr=False)
    """The step's secret input (never printed)."""
    urn: str = ""
    """The task service's URN (what a cluster's `components` output names it by)."""


@dataclass(frozen=True)
class ServiceStatus:
    """What a health check found now."""

    service: str
    """The task service's resource name."""
    type: str
    """Its type token."""
    server: str
    """Where it runs."""
    status: str
    """`running`, `unhealthy` or `unreachable` (SSH failed)."""
    healthy: bool
    """Every check passed."""
    failing: str
    """The first failing check (empty when healthy)."""
    why: str
    """Its message (or why the host could not be reached)."""
    checks: list[dict[str, str]]
    """Every check: name, status, message, last_check."""
    urn: str = ""
    """The task service's URN."""
    host: str = ""
    """The address it was checked at (SSH host)."""
