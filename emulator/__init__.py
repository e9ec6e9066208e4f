"""The local Custom Cloud: a real HTTP API service with persistent state (layered like moto)."""

from __future__ import annotations

from .app import create_app
from .backend import CloudBackend
from .errors import ApiError
from .faults import FaultConfig, Faults
from .hosts import HostBackend, HostEndpoint, RecordHostBackend
from .settings import DEFAULT_PUBLIC_POOL, Settings
from .store import Store

__all__ = [
    "DEFAULT_PUBLIC_POOL",
    "ApiError",
    "CloudBackend",
    "FaultConfig",
    "Faults",
    "HostBackend",
    "HostEndpoint",
    "RecordHostBackend",
    "Settings",
    "Store",
    "create_app",
]
