"""The cost model of a server: machine type price + disk_size × storage price (USD per hour)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .api import catalog

__all__ = ["DEFAULT_DISK_SIZE", "calculate_server_cost"]

DEFAULT_DISK_SIZE = 20
"""Disk size assumed when a server names none (20 GB, the API's default)."""


def calculate_server_cost(server: Mapping[str, Any]) -> float:
    """Estimated USD per hour of a server config (`machine_type`, optional `disk_size`).

    >>> calculate_server_cost({"machine_type": "medium", "disk_size": 50})
    0.15
    """
    disk_size = server.get("disk_size")
    return catalog.hourly_cost(
        str(server["machine_type"]), DEFAULT_DISK_SIZE if disk_size is None else int(disk_size)
    )
