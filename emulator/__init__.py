"""The local Custom Cloud: a real HTTP API service with persistent state (layered like moto)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

if TYPE_CHECKING:
    from .app import create_app as create_app
    from .backend import CloudBackend as CloudBackend
    from .errors import ApiError as ApiError
    from .faults import FaultConfig as FaultConfig, Faults as Faults
    from .hosts import (
        HostBackend as HostBackend,
        HostEndpoint as HostEndpoint,
        RecordHostBackend as RecordHostBackend,
    )
    from .settings import DEFAULT_PUBLIC_POOL as DEFAULT_PUBLIC_POOL, Settings as Settings
    from .store import Store as Store

__all__, __getattr__ = exports_on_first_use(__name__)
