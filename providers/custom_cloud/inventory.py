"""What a Custom Cloud project holds: every instance, network, subnet, load balancer and volume, read
through the API's collections (`provisioning cloud list`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from .api.collections import INSTANCES, LOAD_BALANCERS, NETWORKS, SUBNETS, VOLUMES, Collection
from .client import CustomCloudClient

__all__ = ["KINDS", "InventoryRow", "inventory", "inventory_rows"]

KINDS: dict[str, Collection[Any]] = {
    "instances": INSTANCES,
    "networks": NETWORKS,
    "subnets": SUBNETS,
    "load-balancers": LOAD_BALANCERS,
    "volumes": VOLUMES,
}
"""Each collection listed, by the name its path has."""


@dataclass(frozen=True, slots=True)
class InventoryRow:
    """One resource, as a line of the table."""

    kind: str
    """What it is (`instance`, `load balancer`)."""
    id: str
    """Its id."""
    name: str
    """Its name."""
    status: str
    """Its status."""
    where: str
    """Its zone, or its region where it has no zone."""
    detail: str
    """What tells it apart: machine type and IPs, CIDR, size, listeners and public IP."""


def inventory(client: CustomCloudClient) -> dict[str, list[BaseModel]]:
    """Every item of every collection, by collection name, in the API's order."""
    return {name: list(client.find(collection)) for name, collection in KINDS.items()}


def _detail(item: dict[str, Any]) -> str:
    parts: list[str] = []
    if item.get("machine_type"):
        parts.append(str(item["machine_type"]))
    if item.get("cidr"):
        parts.append(str(item["cidr"]))
    if item.get("size"):
        parts.append(f"{item['size']} GB {item.get('disk_type') or ''}".rstrip())
    if item.get("listeners"):
        parts.append(",".join(f"{lst['port']}/{lst['protocol']}" for lst in item["listeners"]))
    for label, key in (("private", "private_ip"), ("public", "public_ip"), ("attached to", "attached_to")):
        if item.get(key):
            parts.append(f"{label} {item[key]}")
    return "  ".join(parts)


def inventory_rows(found: dict[str, list[BaseModel]]) -> list[InventoryRow]:
    """The table's lines: collection by collection, each item once."""
    rows: list[InventoryRow] = []
    for name, items in found.items():
        noun = KINDS[name].noun
        for model in items:
            item = model.model_dump(mode="json")
            where = item.get("zone") or item.get("region") or ""
            rows.append(
                InventoryRow(noun, item["id"], item.get("name", ""), str(item.get("status", "")), where,
                             _detail(item))
            )  # fmt: skip
    return rows
