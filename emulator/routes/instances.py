"""HTTP routes of instances (HTTP only: parse, call the backend, answer)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from provisioning.providers.custom_cloud.api.models import (
    InstanceCreate,
    InstancePublic,
    InstanceStatus,
    InstanceUpdate,
    Page,
)

from .common import LabelFilter, NameFilter, PageSize, PageToken, ResourcePath
from .deps import ERRORS, CallerDep, IdemKey, idem_request, json_response, outcome_response

__all__ = ["router"]

router = APIRouter(tags=["instances"], responses=ERRORS)


@router.post("/v1/instances", status_code=202, response_model=InstancePublic)
async def create_instance(
    body: InstanceCreate, request: Request, caller: CallerDep, key: IdemKey = None
) -> Response:
    """Create an instance (asynchronous: `provisioning` → `running`)."""
    idem = idem_request(key, request, body)
    return outcome_response(await caller.write(caller.backend.create_instance, caller.project_id, body, idem))


@router.get("/v1/instances", response_model=Page[InstancePublic])
async def list_instances(
    caller: CallerDep,
    page_size: PageSize = 100,
    page_token: PageToken = None,
    name: NameFilter = None,
    status: InstanceStatus | None = None,
    label: LabelFilter = None,
) -> Response:
    """List instances, oldest first, filtered by name, status and labels."""
    return caller.list_page(
        "instance", page_size=page_size, page_token=page_token, name=name, label=label, status=status
    )


@router.get("/v1/instances/{instance_id}", response_model=InstancePublic)
async def get_instance(instance_id: ResourcePath, caller: CallerDep) -> Response:
    """One instance."""
    return json_response(caller.backend.get_json(caller.project_id, "instance", instance_id))


@router.patch("/v1/instances/{instance_id}", response_model=InstancePublic)
async def update_instance(instance_id: ResourcePath, body: InstanceUpdate, caller: CallerDep) -> Response:
    """Relabel, grow the disk, or resize (while stopped)."""
    return outcome_response(
        await caller.write(caller.backend.update_instance, caller.project_id, instance_id, body)
    )


@router.post("/v1/instances/{instance_id}/{action}", status_code=202, response_model=InstancePublic)
async def act_on_instance(
    instance_id: ResourcePath,
    action: Literal["start", "stop", "reboot"],
    request: Request,
    caller: CallerDep,
    key: IdemKey = None,
) -> Response:
    """Start, stop or reboot an instance."""
    idem = idem_request(key, request)
    return outcome_response(
        await caller.write(caller.backend.act_on_instance, caller.project_id, instance_id, action, idem)
    )


@router.delete("/v1/instances/{instance_id}", status_code=202, response_model=InstancePublic)
async def delete_instance(
    instance_id: ResourcePath, caller: CallerDep, keep_storage: bool = False
) -> Response:
    """Delete an instance (`deleting` → gone); `keep_storage=true` keeps the disk as a volume."""
    return outcome_response(
        await caller.write(
            caller.backend.delete_instance, caller.project_id, instance_id, keep_storage=keep_storage
        )
    )
