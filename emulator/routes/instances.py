"""HTTP routes of what only instances do (HTTP only): start, stop, reboot."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from provisioning.providers.custom_cloud.api.collections import INSTANCES
from provisioning.providers.custom_cloud.api.models import InstancePublic

from .common import ResourcePath
from .deps import ERRORS, CallerDep, IdemKey, idem_request, outcome_response

__all__ = ["COLLECTION", "router"]

COLLECTION = INSTANCES
"""The collection these routes belong to."""

router = APIRouter(tags=["instances"], responses=ERRORS)


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
