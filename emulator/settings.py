"""Settings of the local Custom Cloud service (flags, environment)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["DEFAULT_PUBLIC_POOL", "MACHINE_PUBLIC_POOL", "LifecycleMode", "Settings"]

LifecycleMode = Literal["immediate", "timed", "manual"]

MACHINE_PUBLIC_POOL = "100.79.0.0/16"
"""Default public pool with `machine` hosts: real addresses on the emulator's bridges (a loopback address
cannot be routed into a namespace). Shared address space, never routed off this machine: an `unreachable`
guard route covers the pool while the emulator runs. Its first host address (`.1`, never handed out) is the
machines' package cache."""
_MACHINE_POOL_SPACE = ipaddress.IPv4Network("100.64.0.0/10")

DEFAULT_PUBLIC_POOL = "127.77.0.0/16"
"""Default range for "public" IPs. In `record` host mode these are records only: nothing listens on them
and nothing must connect to them. Loopback, so that even a mistaken connection stays on this machine."""


@dataclass(slots=True)
class Settings:
    """Everything `create_app` needs."""

    state_path: str = ":memory:"
    """SQLite file holding all state (`:memory:` only for in-process tests)."""
    bootstrap_project: str | None = None
    """Project created at start (by name) if missing."""
    bootstrap_key: str | None = None
    """API key of the bootstrap project (stored hashed)."""
    admin_token: str | None = None
    """Bearer token of `/admin` routes; None disables them (always 401)."""
    lifecycle: LifecycleMode = "timed"
    """How transitions progress: at once, after `boot_delay_s`, or by the admin advance route."""
    boot_delay_s: float = 1.0
    """Delay of timed transitions (provisioning → running, stopping → stopped, …)."""
    rate_limit: float = 0.0
    """Requests per second per API key (token bucket, burst = max(rate, 1)); 0 disables."""
    public_pool: str = DEFAULT_PUBLIC_POOL
    """CIDR handing out public IPs (records only in `record` host mode)."""
    default_private_cidr: str = "10.0.0.0/16"
    """Range of the implicit per-project default network (instances with neither vpc nor subnet)."""
    synchronous: Literal["FULL", "NORMAL"] = "FULL"
    """SQLite `synchronous` pragma: FULL survives power loss; NORMAL (WAL) survives process kill only."""
    host_backend: str = "record"
    """Host backend behind instances (`record`: no hosts; `machine`: Debian 12 machines booted by
    systemd-nspawn, Linux + root + the image)."""
    machine_dir: str | None = None
    """Where `machine` hosts keep their disks and package cache (default: `machines/` beside the state
    file)."""
    machine_image: str | None = None
    """The Debian 12 image of `machine` hosts (default: `$PROVISIONING_MACHINE_IMAGE`, else
    `$TOOLS/images/debian-12`, as scripts/machine-image.sh builds it)."""
    fault_error_rate: float = 0.0
    """Initial fault injection: share of requests answered with an injected error."""
    fault_latency_ms: int = 0
    """Initial fault injection: added latency per request."""
    fault_routes: list[str] | None = field(default=None)
    """Initial fault injection: routes (`"POST /v1/instances"`) affected; None = all."""
    sweep_interval_s: float = 0.5
    """How often the background sweeper settles due transitions."""

    def __post_init__(self) -> None:
        if self.host_backend == "machine" and self.public_pool == DEFAULT_PUBLIC_POOL:
            self.public_pool = MACHINE_PUBLIC_POOL
        net = ipaddress.IPv4Network(self.public_pool, strict=True)
        if self.host_backend == "machine":
            if not net.subnet_of(_MACHINE_POOL_SPACE):
                raise ValueError(
                    f"public pool {self.public_pool} must be in 100.64.0.0/10 ({self.host_backend} hosts)"
                )
        elif not net.subnet_of(ipaddress.IPv4Network("127.0.0.0/8")):
            raise ValueError(
                f"public pool {self.public_pool} must lie in 127.0.0.0/8 (addresses: local only)"
            )
        ipaddress.IPv4Network(self.default_private_cidr, strict=True)
        if self.lifecycle not in ("immediate", "timed", "manual"):
            raise ValueError(f"unknown lifecycle mode {self.lifecycle!r}")
