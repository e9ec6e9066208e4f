"""Admin routes (emulator only): projects, reset, faults, lifecycle, advance, info."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from provisioning.providers.custom_cloud.api.models import Name

from ..faults import FaultConfig
from ..settings import LifecycleMode
from .common import ResourcePath
from .deps import ERRORS, AdminDep

__all__ = ["AdvanceResult", "LifecycleConfig", "ProjectCreate", "ProjectCreated", "router"]

VERSION = "1.0.0"

router = APIRouter(tags=["admin"], dependencies=[AdminDep], responses=ERRORS)


class ProjectCreate(BaseModel):
    """Body of `POST /admin/projects`."""

    model_config = ConfigDict(extra="forbid")
    name: Name
    """Project name (unique)."""


class ProjectCreated(BaseModel):
    """A new project and its API key (shown once)."""

    project_id: str
    """Project id."""
    api_key: str
    """The key (stored hashed; not retrievable later)."""


class LifecycleConfig(BaseModel):
    """Body of `GET|PUT /admin/lifecycle`."""

    model_config = ConfigDict(extra="forbid")
    mode: LifecycleMode
    """immediate | timed | manual."""
    boot_delay_s: float = Field(default=1.0, ge=0.0, le=3600.0)
    """Delay of timed transitions."""


class AdvanceResult(BaseModel):
    """What `POST /admin/instances/{id}/advance` did."""

    id: str
    """Resource id."""
    status: str
    """Status after the transition."""


class ResetResult(BaseModel):
    """What a project reset removed."""

    project_id: str
    """Project id."""
    removed: int
    """Resources removed."""


@router.post("/admin/projects", status_code=201, response_model=ProjectCreated)
def create_project(body: ProjectCreate, request: Request) -> ProjectCreated:
    """Create a project and its first API key."""
    pid, key = request.app.state.backend.create_project(body.name)
    return ProjectCreated(project_id=pid, api_key=key)


@router.post("/admin/projects/{project_id}/reset", response_model=ResetResult)
def reset_project(project_id: ResourcePath, request: Request) -> ResetResult:
    """Remove every resource of a project."""
    return ResetResult(project_id=project_id, removed=request.app.state.backend.reset_project(project_id))


@router.get("/admin/faults", response_model=FaultConfig)
async def get_faults(request: Request) -> FaultConfig:
    """The fault injection in force."""
    config: FaultConfig = request.app.state.faults.config
    return config


@router.put("/admin/faults", response_model=FaultConfig)
async def put_faults(body: FaultConfig, request: Request) -> FaultConfig:
    """Replace the fault injection."""
    request.app.state.faults.config = body
    return body


@router.get("/admin/lifecycle", response_model=LifecycleConfig)
async def get_lifecycle(request: Request) -> LifecycleConfig:
    """The lifecycle mode in force."""
    lc = request.app.state.backend.lifecycle
    return LifecycleConfig(mode=lc.mode, boot_delay_s=lc.boot_delay_s)


@router.put("/admin/lifecycle", response_model=LifecycleConfig)
async def put_lifecycle(body: LifecycleConfig, request: Request) -> LifecycleConfig:
    """Switch the lifecycle mode (applies to transitions started from now on)."""
    lc = request.app.state.backend.lifecycle
    lc.mode, lc.boot_delay_s = body.mode, body.boot_delay_s
    return body


@router.post("/admin/instances/{resource_id}/advance", response_model=AdvanceResult)
def advance(resource_id: ResourcePath, request: Request) -> AdvanceResult:
    """Complete one pending transition of an instance (or load balancer) now."""
    return AdvanceResult(**request.app.state.backend.advance(resource_id))


@router.get("/admin/info")
async def info(request: Request) -> dict[str, Any]:
    """Version, host backend, lifecycle and faults."""
    state = request.app.state
    lc = state.backend.lifecycle
    return {
        "version": VERSION,
        "host_backend": state.backend.hosts.name,
        "lifecycle": {"mode": lc.mode, "boot_delay_s": lc.boot_delay_s},
        "faults": state.faults.config.model_dump(),
    }
