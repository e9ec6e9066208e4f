"""HTTP routes of load balancers (HTTP only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from provisioning.providers.custom_cloud.api.models import (
    LoadBalancerCreate,
    LoadBalancerPublic,
    LoadBalancerStatus,
    LoadBalancerUpdate,
    Page,
)

from .common import LabelFilter, NameFilter, PageSize, PageToken, ResourcePath
from .deps import ERRORS, CallerDep, IdemKey, idem_request, json_response, outcome_response

__all__ = ["router"]

router = APIRouter(tags=["load-balancers"], responses=ERRORS)


@router.post("/v1/load-balancers", status_code=202, response_model=LoadBalancerPublic)
async def create_load_balancer(
    body: LoadBalancerCreate, request: Request, caller: CallerDep, key: IdemKey = None
) -> Response:
    """Create a load balancer (`provisioning` → `active`)."""
    idem = idem_request(key, request, body)
    return outcome_response(
        await caller.write(caller.backend.create_load_balancer, caller.project_id, body, idem)
    )


@router.get("/v1/load-balancers", response_model=Page[LoadBalancerPublic])
async def list_load_balancers(
    caller: CallerDep,
    page_size: PageSize = 100,
    page_token: PageToken = None,
    name: NameFilter = None,
    status: LoadBalancerStatus | None = None,
    label: LabelFilter = None,
) -> Response:
    """List load balancers, oldest first."""
    return caller.list_page(
        "load_balancer", page_size=page_size, page_token=page_token, name=name, label=label, status=status
    )


@router.get("/v1/load-balancers/{lb_id}", response_model=LoadBalancerPublic)
async def get_load_balancer(lb_id: ResourcePath, caller: CallerDep) -> Response:
    """One load balancer."""
    return json_response(caller.backend.get_json(caller.project_id, "load_balancer", lb_id))


@router.patch("/v1/load-balancers/{lb_id}", response_model=LoadBalancerPublic)
async def update_load_balancer(lb_id: ResourcePath, body: LoadBalancerUpdate, caller: CallerDep) -> Response:
    """Change targets, listeners, health check path or labels."""
    return outcome_response(
        await caller.write(caller.backend.update_load_balancer, caller.project_id, lb_id, body)
    )


@router.delete("/v1/load-balancers/{lb_id}", status_code=202, response_model=LoadBalancerPublic)
async def delete_load_balancer(lb_id: ResourcePath, caller: CallerDep) -> Response:
    """Delete a load balancer (`deleting` → gone)."""
    return outcome_response(await caller.write(caller.backend.delete_load_balancer, caller.project_id, lb_id))
