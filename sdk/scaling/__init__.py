"""Scaling a deployed cluster through Pulumi's Automation API: set a tier's replicas in the stack's config,
preview, apply; and the auto-scaling decision from the app tier's CPU in Prometheus. The CLI's
`provisioning cluster scale|autoscale` are thin shells over this package."""

from .autoscale import AutoScaling, Decision, decide
from .errors import InvalidReplicas, InvalidTier, NoCluster, NoMetrics, ScaleFailed, ScalingError
from .prometheus import app_cpu_percent
from .stack import ClusterStack, ScaleResult
from .tiers import scalable_tiers

__all__ = [
    "AutoScaling",
    "ClusterStack",
    "Decision",
    "InvalidReplicas",
    "InvalidTier",
    "NoCluster",
    "NoMetrics",
    "ScaleFailed",
    "ScaleResult",
    "ScalingError",
    "app_cpu_percent",
    "decide",
    "scalable_tiers",
]
