"""HTTP routes of what only volumes do (HTTP only): attach to an instance, detach."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from provisioning.providers.custom_cloud.api.collections import VOLUMES
from provisioning.providers.custom_cloud.api.models import VolumeAttach, VolumePublic

from .common import ResourcePath
from .deps import ERRORS, CallerDep, IdemKey, idem_request, outcome_response

__all__ = ["COLLECTION", "router"]

COLLECTION = VOLUMES
"""The collection these routes belong to."""

router = APIRouter(tags=["volumes"], responses=ERRORS)


@router.post("/v1/volumes/{volume_id}/attach", response_model=VolumePublic)
async def attach_volume(
    volume_id: ResourcePath, body: VolumeAttach, request: Request, caller: CallerDep, key: IdemKey = None
) -> Response:
    """Attach a volume to an instance in its zone (`in-use`; a no-op when already attached to it)."""
    idem = idem_request(key, request, body)
    return outcome_response(
        await caller.write(caller.backend.attach_volume, caller.project_id, volume_id, body, idem)
    )


@router.post("/v1/volumes/{volume_id}/detach", response_model=VolumePublic)
async def detach_volume(
    volume_id: ResourcePath, request: Request, caller: CallerDep, key: IdemKey = None
) -> Response:
    """Detach a volume from its instance (`available`; a no-op when detached)."""
    idem = idem_request(key, request)
    return outcome_response(
        await caller.write(caller.backend.detach_volume, caller.project_id, volume_id, idem)
    )
