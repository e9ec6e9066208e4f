"""The one table mapping the instance types a web stack names (`t3.medium`, `m5.large`, …) onto Custom Cloud
machine types (`providers/custom_cloud/api/catalog.py`: micro … xlarge and their prices). A Custom Cloud
machine type may also be named directly. Pure data; imports no Pulumi."""

from __future__ import annotations

from provisioning.providers.custom_cloud.api import catalog

__all__ = ["INSTANCE_TYPES", "KNOWN_INSTANCE_TYPES", "LOAD_BALANCER_TYPE", "MONITORING_TYPE", "machine_type"]

INSTANCE_TYPES: dict[str, str] = {
    # burstable, general purpose (vCPUs / GiB as the catalog's types)
    "t3.micro": "micro",  # 1 / 1
    "t3.small": "small",  # 1 / 2
    "t3.medium": "medium",  # 2 / 4
    "t3.large": "large",  # 4 / 8
    "t3.xlarge": "xlarge",  # 8 / 16
    # general purpose
    "m5.large": "large",
    "m5.xlarge": "xlarge",
    # compute optimised
    "c5.large": "medium",
    "c5.xlarge": "large",
    "c5.2xlarge": "xlarge",
}
"""Instance type → Custom Cloud machine type."""

KNOWN_INSTANCE_TYPES: tuple[str, ...] = (*INSTANCE_TYPES, *catalog.MACHINE_TYPES)
"""What an `instance_type` field accepts: the table's instance types, then the catalog's machine types."""

LOAD_BALANCER_TYPE = "t3.small"
"""The load balancer's server (HAProxy only)."""
MONITORING_TYPE = "t3.small"
"""The monitoring server (Prometheus)."""


def machine_type(instance_type: str) -> str:
    """The Custom Cloud machine type of `instance_type` (`t3.medium` → `medium`; `large` → `large`);
    `ValueError` naming the known ones otherwise."""
    if instance_type in catalog.MACHINE_TYPES:
        return instance_type
    try:
        return INSTANCE_TYPES[instance_type]
    except KeyError:
        raise ValueError(
            f"unknown instance_type {instance_type!r}; known: {', '.join(KNOWN_INSTANCE_TYPES)}"
        ) from None
