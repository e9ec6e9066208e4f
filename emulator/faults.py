"""Fault injection (errors, latency, boot delay, stuck provisioning): off by default."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import InjectedFault

__all__ = ["FaultConfig", "Faults"]


class FaultConfig(BaseModel):
    """Body of `GET|PUT /admin/faults`."""

    model_config = ConfigDict(extra="forbid")

    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of matching requests answered with an injected error."""
    error_statuses: list[Literal[500, 503, 429]] = Field(default=[500, 503], min_length=1)
    """Statuses drawn at random for injected errors."""
    routes: list[str] | None = None
    """Affected routes as `"METHOD /path/{param}"` (e.g. `"POST /v1/instances"`); null = every /v1 route."""
    latency_ms: int = Field(default=0, ge=0, le=60000)
    """Latency added to every matching request."""
    boot_delay_s: float | None = Field(default=None, ge=0.0, le=3600.0)
    """Overrides the lifecycle boot delay when set."""
    stuck_in_provisioning: bool = False
    """New instances stay in `provisioning` until advanced by the admin route."""


class Faults:
    """The live fault configuration and the decision for one request."""

    def __init__(self, config: FaultConfig | None = None, *, seed: int | None = None) -> None:
        self.config = config or FaultConfig()
        self._random = random.Random(seed)

    def latency_s(self, route: str) -> float:
        """Seconds to wait before handling `route`."""
        c = self.config
        if c.latency_ms and self._matches(route):
            return c.latency_ms / 1000.0
        return 0.0

    def maybe_fail(self, route: str) -> None:
        """Raise `InjectedFault` for a share `error_rate` of matching requests."""
        c = self.config
        if c.error_rate > 0 and self._matches(route) and self._random.random() < c.error_rate:
            status = self._random.choice(c.error_statuses)
            raise InjectedFault(f"injected fault on {route} (status {status})", status=status)

    def _matches(self, route: str) -> bool:
        return self.config.routes is None or route in self.config.routes
