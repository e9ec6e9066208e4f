"""Settings of the local Custom Cloud service: the `Settings` of `create_app`, and what `provisioning cloud`
reads them from (its `CUSTOM_CLOUD_*` variables, default address and state file, the key file's name).
Light on purpose: the CLI's `--help` imports it and must not load a web framework."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

__all__ = [
    "ADMIN_TOKEN_ENV",
    "BOOTSTRAP_KEY_ENV",
    "BOOTSTRAP_PROJECT_ENV",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_PROJECT",
    "DEFAULT_PUBLIC_POOL",
    "DEFAULT_STATE",
    "HOSTS",
    "HOSTS_ENV",
    "KEY_SUFFIX",
    "LIFECYCLE_MODES",
    "MACHINE_PUBLIC_POOL",
    "STATE_ENV",
    "SYNCHRONOUS_MODES",
    "HostsChoice",
    "LifecycleMode",
    "Settings",
    "SynchronousMode",
    "key_path",
]

LifecycleMode = Literal["immediate", "timed", "manual"]
LIFECYCLE_MODES: tuple[LifecycleMode, ...] = get_args(LifecycleMode)
"""How transitions progress, as `--lifecycle` offers them."""
SynchronousMode = Literal["FULL", "NORMAL"]
SYNCHRONOUS_MODES: tuple[SynchronousMode, ...] = get_args(SynchronousMode)
"""SQLite `synchronous` values, as `--synchronous` offers them."""
HostsChoice = Literal["auto", "record", "machine"]
HOSTS: tuple[HostsChoice, ...] = get_args(HostsChoice)
"""What `--hosts` (or `HOSTS_ENV`) may choose; `auto` is `machine` where it can run, else `record`."""

STATE_ENV = "CUSTOM_CLOUD_STATE"
"""The state file when `--state` is not given."""
BOOTSTRAP_PROJECT_ENV = "CUSTOM_CLOUD_BOOTSTRAP_PROJECT"
"""The project created at start when `--bootstrap-project` is not given."""
BOOTSTRAP_KEY_ENV = "CUSTOM_CLOUD_BOOTSTRAP_KEY"
"""The bootstrap project's API key when `--bootstrap-key` is not given (not visible in ps)."""
ADMIN_TOKEN_ENV = "CUSTOM_CLOUD_ADMIN_TOKEN"
"""The `/admin` routes' bearer token when `--admin-token` is not given."""
HOSTS_ENV = "CUSTOM_CLOUD_HOSTS"
"""The host backend when `--hosts` is not given."""

DEFAULT_HOST = "127.0.0.1"
"""Where the service listens unless told otherwise (always in 127.0.0.0/8)."""
DEFAULT_PORT = 8787
"""The service's TCP port unless told otherwise."""
DEFAULT_STATE = ".state/custom-cloud.db"
"""State file when neither `--state` nor `STATE_ENV` says otherwise (relative to the cwd)."""
DEFAULT_PROJECT = "default"
"""Project made at start when no bootstrap project and key are given; its key lives in `key_path(state)`."""
KEY_SUFFIX = ".key"
"""The default project's key file is the state file's path plus this."""


def key_path(state: str | os.PathLike[str]) -> Path:
    """Where the default project's API key of `state` lives: `<state>.key`."""
    return Path(os.fspath(state) + KEY_SUFFIX)


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
    synchronous: SynchronousMode = "FULL"
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
        if self.lifecycle not in LIFECYCLE_MODES:
            raise ValueError(f"unknown lifecycle mode {self.lifecycle!r}")
