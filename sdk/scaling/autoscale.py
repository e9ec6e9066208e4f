"""The auto-scaling decision: replicas from the app tier's CPU against its threshold, within min and max.

The rule is a proportional one: `desired = ceil(current × cpu / threshold)`, clamped to
`[min_replicas, max_replicas]`, and left alone while the CPU is within `TOLERANCE` (10%) of the threshold so
that noise does not make it flap. With no load the CPU is near 0, so the tier goes down to `min_replicas`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["TOLERANCE", "AutoScaling", "Decision", "decide"]

TOLERANCE = 0.1
"""How far (as a share of the threshold) the CPU may be from the threshold with the tier left alone."""


@dataclass(frozen=True)
class AutoScaling:
    """A tier's auto-scaling settings (WebStack: `app_tier.auto_scaling`)."""

    enabled: bool
    min_replicas: int
    max_replicas: int
    cpu_threshold: float
    """Percent of one CPU per server above which the tier grows."""

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> AutoScaling:
        """From a tier's config section as the stack recorded it (defaults already applied)."""
        auto = section.get("auto_scaling") or {}
        return cls(
            enabled=bool(auto.get("enabled")),
            min_replicas=int(auto.get("min_replicas", 1)),
            max_replicas=int(auto.get("max_replicas", 1)),
            cpu_threshold=float(auto.get("cpu_threshold", 70)),
        )


@dataclass(frozen=True)
class Decision:
    """What one reconcile decided, and why."""

    current: int
    desired: int
    cpu: float | None
    """Mean CPU percent per server (None: no samples)."""
    reason: str

    @property
    def changes(self) -> bool:
        """The tier is to be scaled."""
        return self.desired != self.current

    def __str__(self) -> str:
        if not self.changes:
            return f"keep {self.current} replicas: {self.reason}"
        verb = "scale out" if self.desired > self.current else "scale in"
        return f"{verb} {self.current} -> {self.desired} replicas: {self.reason}"


def decide(current: int, cpu: float | None, policy: AutoScaling, *, tolerance: float = TOLERANCE) -> Decision:
    """The replicas the tier should have for a mean CPU of `cpu` percent per server."""
    low, high = policy.min_replicas, policy.max_replicas
    if cpu is None:
        return Decision(current, current, None, "no CPU samples of the tier yet")
    where = f"cpu {cpu:.1f}% against threshold {policy.cpu_threshold:g}%"
    if current < low or current > high:
        desired = min(max(current, low), high)
        return Decision(current, desired, cpu, f"{current} is outside min {low} .. max {high}; {where}")
    ratio = cpu / policy.cpu_threshold
    if abs(ratio - 1) <= tolerance:
        return Decision(current, current, cpu, f"{where} (within {tolerance:.0%})")
    wanted = math.ceil(current * ratio)
    desired = min(max(wanted, low), high)
    if desired == current:
        bound = "max" if wanted > high else "min" if wanted < low else "target"
        return Decision(current, current, cpu, f"{where}; already at {bound} ({current})")
    return Decision(current, desired, cpu, f"{where}; within min {low} .. max {high}")
