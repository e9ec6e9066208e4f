"""What can stop a scale: each error says what was asked, what is allowed and what to do."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ProvisioningError
from ..validation import Violation

__all__ = ["InvalidReplicas", "InvalidTier", "NoCluster", "NoMetrics", "ScaleFailed", "ScalingError"]


class ScalingError(ProvisioningError):
    """A scale or auto-scale could not be done; nothing was changed unless the message says so."""


class InvalidTier(ScalingError):
    """The tier is not one the cluster scales."""

    def __init__(self, tier: str, valid: Sequence[str]) -> None:
        self.tier = tier
        self.valid = tuple(valid)
        super().__init__(f"Invalid tier: {tier}. Valid options: {', '.join(valid)}")


class InvalidReplicas(ScalingError):
    """The new replica count breaks a rule of the cluster's config (checked before anything changes)."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        super().__init__("; ".join(f"{v.field}: {v.rule} (got {v.value!r})" for v in violations))


class NoCluster(ScalingError):
    """The stack holds no cluster (or several, and none was named)."""


class NoMetrics(ScalingError):
    """Prometheus could not be asked, or has no CPU samples of the app tier yet."""


class ScaleFailed(ScalingError):
    """The preview or the update failed; the stack's config was put back when the preview failed."""
