"""The routes every collection of the API's table has (`api/collections.py`), generated from it: create,
list (paged, filtered), get, update, delete. The rules are the backend's (`create_<kind>`, `update_<kind>`,
`delete_<kind>`); a kind's own module adds only its actions (start / stop, attach / detach)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from provisioning.providers.custom_cloud.api.collections import (
    INSTANCES,
    LOAD_BALANCERS,
    NETWORKS,
    SUBNETS,
    VOLUMES,
    Collection,
)
from provisioning.providers.custom_cloud.api.models import Page

from .common import LabelFilter, NameFilter, PageSize, PageToken, ResourcePath
from .deps import ERRORS, Caller, CallerDep, IdemKey, idem_request, json_response, outcome_response

__all__ = ["SERVED", "Served", "collection_router", "status_filter"]

_KW = inspect.Parameter.KEYWORD_ONLY
_REQUIRED = inspect.Parameter.empty


def _param(name: str, annotation: Any, default: Any = None) -> inspect.Parameter:
    return inspect.Parameter(name, _KW, annotation=annotation, default=default)


def status_filter(collection: Collection[Any]) -> inspect.Parameter:
    """`?status=`: one of the statuses the collection's items can have (as their public model says)."""
    return _param("status", collection.public.model_fields["status"].annotation | None)


@dataclass(frozen=True, slots=True)
class Served:
    """How the emulator serves one collection: what its routes need beyond the API's table."""

    collection: Collection[Any]
    """The table's entry: path, noun, create / update / public models."""
    id_param: str
    """Name of the id in the item's path (`instance_id`)."""
    creating: str
    """What the create route says it does."""
    listing: str
    """What the list route says it does."""
    updating: str
    """What the update route says it does."""
    deleting: str
    """What the delete route says it does."""
    filters: tuple[inspect.Parameter, ...] = ()
    """List filters beside name and labels: `status` (effective status) or a field of the stored item."""
    delete_options: tuple[inspect.Parameter, ...] = ()
    """Query parameters of the delete route, handed to the backend's `delete_<kind>`."""
    transitions: bool = False
    """Items go through transitions (`provisioning` → …, `deleting` → gone): create and delete answer 202
    with the item; else create answers 201 and delete 204 with no body."""

    @property
    def kind(self) -> str:
        """The backend's name of the kind (`load_balancer`)."""
        return self.collection.noun.replace(" ", "_")

    @property
    def tag(self) -> str:
        """OpenAPI tag (`load-balancers`)."""
        return self.collection.path.lstrip("/")


SERVED: tuple[Served, ...] = (
    Served(
        INSTANCES,
        "instance_id",
        "Create an instance (asynchronous: `provisioning` → `running`).",
        "List instances, oldest first, filtered by name, status and labels.",
        "Relabel, grow the disk, or resize (while stopped).",
        "Delete an instance (`deleting` → gone); `keep_storage=true` keeps the disk as a volume.",
        filters=(status_filter(INSTANCES),),
        delete_options=(_param("keep_storage", bool, False),),
        transitions=True,
    ),
    Served(
        NETWORKS,
        "network_id",
        "Create a network.",
        "List networks, oldest first.",
        "Relabel a network.",
        "Delete a network (409 with dependents while subnets or instances use it).",
    ),
    Served(
        SUBNETS,
        "subnet_id",
        "Create a subnet inside a network.",
        "List subnets, oldest first (optionally of one network).",
        "Relabel a subnet.",
        "Delete a subnet (409 with dependents while instances use it).",
        filters=(_param("network_id", str | None, Query(default=None, max_length=64)),),
    ),
    Served(
        LOAD_BALANCERS,
        "lb_id",
        "Create a load balancer (`provisioning` → `active`).",
        "List load balancers, oldest first.",
        "Change targets, listeners, health check path or labels.",
        "Delete a load balancer (`deleting` → gone).",
        filters=(status_filter(LOAD_BALANCERS),),
        transitions=True,
    ),
    Served(
        VOLUMES,
        "volume_id",
        "Create a volume.",
        "List volumes, oldest first.",
        "Grow or relabel a volume.",
        "Delete a volume (409 while attached).",
    ),
)
"""Every collection of the API's table, in the order the OpenAPI document lists them."""

Endpoint = Callable[..., Awaitable[Response]]


def _endpoint(run: Endpoint, *parameters: inspect.Parameter) -> Endpoint:
    """`run`, with the signature FastAPI reads its parameters from."""
    run.__signature__ = inspect.Signature(list(parameters), return_annotation=Response)  # type: ignore[attr-defined]
    return run


def _create(served: Served) -> Endpoint:
    async def run(*, body: Any, request: Request, caller: Caller, key: str | None) -> Response:
        method = getattr(caller.backend, f"create_{served.kind}")
        idem = idem_request(key, request, body)
        return outcome_response(await caller.write(method, caller.project_id, body, idem))

    return _endpoint(
        run,
        _param("body", served.collection.create, _REQUIRED),
        _param("request", Request, _REQUIRED),
        _param("caller", CallerDep, _REQUIRED),
        _param("key", IdemKey),
    )


def _list(served: Served) -> Endpoint:
    async def run(*, caller: Caller, page_size: int, page_token: str | None, **rest: Any) -> Response:
        where = [
            (f"json_extract(body, '$.{f.name}') = ?", rest[f.name])
            for f in served.filters
            if f.name != "status" and rest[f.name]
        ]
        return caller.list_page(
            served.kind,
            page_size=page_size,
            page_token=page_token,
            name=rest["name"],
            label=rest["label"],
            status=rest.get("status"),
            where=where or None,
        )

    return _endpoint(
        run,
        _param("caller", CallerDep, _REQUIRED),
        _param("page_size", PageSize, 100),
        _param("page_token", PageToken),
        _param("name", NameFilter),
        *served.filters,
        _param("label", LabelFilter),
    )


def _get(served: Served) -> Endpoint:
    async def run(*, caller: Caller, **path: str) -> Response:
        rid = path[served.id_param]
        return json_response(caller.backend.get_json(caller.project_id, served.kind, rid))

    return _endpoint(
        run, _param(served.id_param, ResourcePath, _REQUIRED), _param("caller", CallerDep, _REQUIRED)
    )


def _update(served: Served) -> Endpoint:
    async def run(*, body: Any, caller: Caller, **path: str) -> Response:
        method = getattr(caller.backend, f"update_{served.kind}")
        return outcome_response(await caller.write(method, caller.project_id, path[served.id_param], body))

    return _endpoint(
        run,
        _param(served.id_param, ResourcePath, _REQUIRED),
        _param("body", served.collection.update, _REQUIRED),
        _param("caller", CallerDep, _REQUIRED),
    )


def _delete(served: Served) -> Endpoint:
    async def run(*, caller: Caller, **rest: Any) -> Response:
        rid = rest.pop(served.id_param)
        method = getattr(caller.backend, f"delete_{served.kind}")
        return outcome_response(await caller.write(method, caller.project_id, rid, **rest))

    return _endpoint(
        run,
        _param(served.id_param, ResourcePath, _REQUIRED),
        _param("caller", CallerDep, _REQUIRED),
        *served.delete_options,
    )


def collection_router(served: Served) -> APIRouter:
    """The create, list, get, update and delete routes of one collection."""
    router = APIRouter(tags=[served.tag], responses=ERRORS)
    path, public = f"/v1{served.collection.path}", served.collection.public
    item = f"{path}/{{{served.id_param}}}"
    plural = served.tag.replace("-", "_")
    created, deleted = (202, 202) if served.transitions else (201, 204)
    routes = (
        (path, "POST", _create, created, public, served.creating, f"create_{served.kind}"),
        (path, "GET", _list, None, Page[public], served.listing, f"list_{plural}"),  # type: ignore[valid-type]
        (item, "GET", _get, None, public, f"One {served.collection.noun}.", f"get_{served.kind}"),
        (item, "PATCH", _update, None, public, served.updating, f"update_{served.kind}"),
        (
            item,
            "DELETE",
            _delete,
            deleted,
            public if deleted == 202 else None,
            served.deleting,
            f"delete_{served.kind}",
        ),
    )
    for at, method, make, status, model, doc, name in routes:
        router.add_api_route(
            at,
            make(served),
            methods=[method],
            status_code=status,
            response_model=model,
            name=name,
            description=doc,
        )
    return router
