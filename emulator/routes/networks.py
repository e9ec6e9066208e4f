"""HTTP routes of networks and subnets (HTTP only)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from provisioning.providers.custom_cloud.api.models import (
    NetworkCreate,
    NetworkPublic,
    NetworkUpdate,
    Page,
    SubnetCreate,
    SubnetPublic,
    SubnetUpdate,
)

from .common import LabelFilter, NameFilter, PageSize, PageToken, ResourcePath
from .deps import ERRORS, CallerDep, IdemKey, idem_request, json_response, outcome_response

__all__ = ["router"]

router = APIRouter(responses=ERRORS)


@router.post("/v1/networks", status_code=201, response_model=NetworkPublic, tags=["networks"])
async def create_network(
    body: NetworkCreate, request: Request, caller: CallerDep, key: IdemKey = None
) -> Response:
    """Create a network."""
    return outcome_response(
        await caller.write(
            caller.backend.create_network, caller.project_id, body, idem_request(key, request, body)
        )
    )


@router.get("/v1/networks", response_model=Page[NetworkPublic], tags=["networks"])
async def list_networks(
    caller: CallerDep,
    page_size: PageSize = 100,
    page_token: PageToken = None,
    name: NameFilter = None,
    label: LabelFilter = None,
) -> Response:
    """List networks, oldest first."""
    return caller.list_page("network", page_size=page_size, page_token=page_token, name=name, label=label)


@router.get("/v1/networks/{network_id}", response_model=NetworkPublic, tags=["networks"])
async def get_network(network_id: ResourcePath, caller: CallerDep) -> Response:
    """One network."""
    return json_response(caller.backend.get_json(caller.project_id, "network", network_id))


@router.patch("/v1/networks/{network_id}", response_model=NetworkPublic, tags=["networks"])
async def update_network(network_id: ResourcePath, body: NetworkUpdate, caller: CallerDep) -> Response:
    """Relabel a network."""
    return outcome_response(
        await caller.write(caller.backend.update_fields, caller.project_id, "network", network_id, body)
    )


@router.delete("/v1/networks/{network_id}", status_code=204, tags=["networks"])
async def delete_network(network_id: ResourcePath, caller: CallerDep) -> Response:
    """Delete a network (409 with dependents while subnets or instances use it)."""
    return outcome_response(await caller.write(caller.backend.delete_network, caller.project_id, network_id))


@router.post("/v1/subnets", status_code=201, response_model=SubnetPublic, tags=["subnets"])
async def create_subnet(
    body: SubnetCreate, request: Request, caller: CallerDep, key: IdemKey = None
) -> Response:
    """Create a subnet inside a network."""
    return outcome_response(
        await caller.write(
            caller.backend.create_subnet, caller.project_id, body, idem_request(key, request, body)
        )
    )


@router.get("/v1/subnets", response_model=Page[SubnetPublic], tags=["subnets"])
async def list_subnets(
    caller: CallerDep,
    page_size: PageSize = 100,
    page_token: PageToken = None,
    name: NameFilter = None,
    network_id: str | None = Query(default=None, max_length=64),
    label: LabelFilter = None,
) -> Response:
    """List subnets, oldest first (optionally of one network)."""
    where = [("json_extract(body, '$.network_id') = ?", network_id)] if network_id else None
    return caller.list_page(
        "subnet", page_size=page_size, page_token=page_token, name=name, label=label, where=where
    )


@router.get("/v1/subnets/{subnet_id}", response_model=SubnetPublic, tags=["subnets"])
async def get_subnet(subnet_id: ResourcePath, caller: CallerDep) -> Response:
    """One subnet."""
    return json_response(caller.backend.get_json(caller.project_id, "subnet", subnet_id))


@router.patch("/v1/subnets/{subnet_id}", response_model=SubnetPublic, tags=["subnets"])
async def update_subnet(subnet_id: ResourcePath, body: SubnetUpdate, caller: CallerDep) -> Response:
    """Relabel a subnet."""
    return outcome_response(
        await caller.write(caller.backend.update_fields, caller.project_id, "subnet", subnet_id, body)
    )


@router.delete("/v1/subnets/{subnet_id}", status_code=204, tags=["subnets"])
async def delete_subnet(subnet_id: ResourcePath, caller: CallerDep) -> Response:
    """Delete a subnet (409 with dependents while instances use it)."""
    return outcome_response(await caller.write(caller.backend.delete_subnet, caller.project_id, subnet_id))
