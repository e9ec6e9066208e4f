"""HTTP routes of volumes (HTTP only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from provisioning.providers.custom_cloud.api.models import (
    Page,
    VolumeAttach,
    VolumeCreate,
    VolumePublic,
    VolumeUpdate,
)

from .common import LabelFilter, NameFilter, PageSize, PageToken, ResourcePath
from .deps import ERRORS, CallerDep, IdemKey, idem_request, json_response, outcome_response

__all__ = ["router"]

router = APIRouter(tags=["volumes"], responses=ERRORS)


@router.post("/v1/volumes", status_code=201, response_model=VolumePublic)
async def create_volume(
    body: VolumeCreate, request: Request, caller: CallerDep, key: IdemKey = None
) -> Response:
    """Create a volume."""
    return outcome_response(
        await caller.write(
            caller.backend.create_volume, caller.project_id, body, idem_request(key, request, body)
        )
    )


@router.get("/v1/volumes", response_model=Page[VolumePublic])
async def list_volumes(
    caller: CallerDep,
    page_size: PageSize = 100,
    page_token: PageToken = None,
    name: NameFilter = None,
    label: LabelFilter = None,
) -> Response:
    """List volumes, oldest first."""
    return caller.list_page("volume", page_size=page_size, page_token=page_token, name=name, label=label)


@router.get("/v1/volumes/{volume_id}", response_model=VolumePublic)
async def get_volume(volume_id: ResourcePath, caller: CallerDep) -> Response:
    """One volume."""
    return json_response(caller.backend.get_json(caller.project_id, "volume", volume_id))


@router.patch("/v1/volumes/{volume_id}", response_model=VolumePublic)
async def update_volume(volume_id: ResourcePath, body: VolumeUpdate, caller: CallerDep) -> Response:
    """Grow or relabel a volume."""
    return outcome_response(
        await caller.write(caller.backend.update_volume, caller.project_id, volume_id, body)
    )


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


@router.delete("/v1/volumes/{volume_id}", status_code=204)
async def delete_volume(volume_id: ResourcePath, caller: CallerDep) -> Response:
    """Delete a volume (409 while attached)."""
    return outcome_response(await caller.write(caller.backend.delete_volume, caller.project_id, volume_id))
