"""HTTP routes of the catalog (regions, machine types, disk types, pricing): no state."""

from __future__ import annotations

from fastapi import APIRouter

from provisioning.providers.custom_cloud.api import catalog
from provisioning.providers.custom_cloud.api.models import (
    DiskTypePublic,
    Items,
    MachineTypePublic,
    Pricing,
    RegionPublic,
)

from .deps import ERRORS, CallerDep

__all__ = ["router"]

router = APIRouter(tags=["catalog"], responses=ERRORS)


@router.get("/v1/regions", response_model=Items[RegionPublic])
async def list_regions(caller: CallerDep) -> dict[str, object]:
    """Regions and their zones."""
    return {"items": [{"name": r, "zones": list(catalog.zones_of(r))} for r in catalog.REGIONS]}


@router.get("/v1/machine-types", response_model=Items[MachineTypePublic])
async def list_machine_types(caller: CallerDep) -> dict[str, object]:
    """Machine types with vCPUs, memory and hourly price."""
    return {
        "items": [
            {"name": m.name, "vcpus": m.vcpus, "memory_gb": m.memory_gb, "hourly_price": m.hourly_price}
            for m in catalog.MACHINE_TYPES.values()
        ]
    }


@router.get("/v1/disk-types", response_model=Items[DiskTypePublic])
async def list_disk_types(caller: CallerDep) -> dict[str, object]:
    """Disk types."""
    return {"items": [{"name": d} for d in catalog.DISK_TYPES]}


@router.get("/v1/pricing", response_model=Pricing)
async def get_pricing(caller: CallerDep) -> dict[str, object]:
    """The price list."""
    return {
        "currency": "USD",
        "machine_types": {m.name: m.hourly_price for m in catalog.MACHINE_TYPES.values()},
        "storage_gb_hour": catalog.STORAGE_GB_HOUR,
    }
