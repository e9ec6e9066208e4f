"""The Custom Cloud catalog: regions, zones, machine types, disk types and prices (pure data, no deps)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALL_ZONES",
    "DISK_TYPES",
    "MACHINE_TYPES",
    "REGIONS",
    "STORAGE_GB_HOUR",
    "ZONE_SUFFIXES",
    "MachineType",
    "hourly_cost",
    "region_of_zone",
    "zones_of",
]

REGIONS: tuple[str, ...] = ("us-west-1", "us-west-2", "us-east-1", "eu-west-1")
"""Every region, in catalog order."""

ZONE_SUFFIXES: tuple[str, ...] = ("a", "b", "c")
"""Each region has one zone per suffix: `<region><suffix>`."""

ALL_ZONES: tuple[str, ...] = tuple(f"{region}{suffix}" for region in REGIONS for suffix in ZONE_SUFFIXES)
"""Every zone of every region, in catalog order."""


@dataclass(frozen=True, slots=True)
class MachineType:
    """One machine type of the catalog."""

    name: str
    """Catalog name (`micro` … `xlarge`)."""
    vcpus: int
    """Virtual CPUs."""
    memory_gb: int
    """Memory in GiB."""
    hourly_price: float
    """USD per hour, without storage."""


MACHINE_TYPES: dict[str, MachineType] = {
    m.name: m
    for m in (
        MachineType("micro", 1, 1, 0.01),
        MachineType("small", 1, 2, 0.05),
        MachineType("medium", 2, 4, 0.10),
        MachineType("large", 4, 8, 0.20),
        MachineType("xlarge", 8, 16, 0.40),
    )
}
"""Machine types by name, in catalog order."""

DISK_TYPES: tuple[str, ...] = ("ssd", "hdd")
"""Disk types."""

STORAGE_GB_HOUR: float = 0.001
"""USD per GB of disk per hour."""


def zones_of(region: str) -> tuple[str, ...]:
    """Zones of `region` (`us-west-1` → `us-west-1a`, `…b`, `…c`); `ValueError` for an unknown region."""
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; known: {', '.join(REGIONS)}")
    return tuple(f"{region}{suffix}" for suffix in ZONE_SUFFIXES)


def region_of_zone(zone: str) -> str:
    """Region of `zone` (`us-west-1a` → `us-west-1`); `ValueError` for an unknown zone."""
    if zone not in ALL_ZONES:
        raise ValueError(f"unknown zone {zone!r}; known: {', '.join(ALL_ZONES)}")
    return zone[:-1]


def hourly_cost(machine_type: str, disk_size: int) -> float:
    """USD per hour of an instance: machine price + disk_size × STORAGE_GB_HOUR (rounded to 6 places)."""
    try:
        price = MACHINE_TYPES[machine_type].hourly_price
    except KeyError:
        raise ValueError(
            f"unknown machine type {machine_type!r}; known: {', '.join(MACHINE_TYPES)}"
        ) from None
    return round(price + disk_size * STORAGE_GB_HOUR, 6)
