"""HTTP layer of the emulator: one router per resource family, all under /v1 except admin and system."""

from __future__ import annotations

from fastapi import APIRouter

from . import admin, catalog, instances, load_balancers, networks, system, volumes

__all__ = ["admin_router", "system_router", "v1_router"]

v1_router = APIRouter()
for _module in (catalog, instances, networks, load_balancers, volumes):
    v1_router.include_router(_module.router)

admin_router = admin.router
system_router = system.router
