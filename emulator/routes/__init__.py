"""HTTP layer of the emulator: every collection's routes, generated from the API's table, and what only
some kinds do (instance actions, volume attachments), all under /v1 except admin and system."""

from __future__ import annotations

from fastapi import APIRouter

from . import admin, catalog, collections, instances, system, volumes

__all__ = ["admin_router", "system_router", "v1_router"]

_OWN = {m.COLLECTION: m.router for m in (instances, volumes)}
"""The routes only some collections have (actions)."""

v1_router = APIRouter()
v1_router.include_router(catalog.router)
for _served in collections.SERVED:
    v1_router.include_router(collections.collection_router(_served))
    if _served.collection in _OWN:
        v1_router.include_router(_OWN[_served.collection])

admin_router = admin.router
system_router = system.router
