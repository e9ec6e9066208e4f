"""The local Custom Cloud: a real HTTP API service with persistent state (layered like moto)."""

from __future__ import annotations

from provisioning.sdk._lazy import names_on_first_use

_WHERE = {
    "create_app": "app",
    "CloudBackend": "backend",
    "ApiError": "errors",
    "FaultConfig": "faults",
    "Faults": "faults",
    "HostBackend": "hosts",
    "HostEndpoint": "hosts",
    "RecordHostBackend": "hosts",
    "DEFAULT_PUBLIC_POOL": "settings",
    "Settings": "settings",
    "Store": "store",
}
"""Each public name's module: loaded on first use, so that reading the settings loads no web framework."""

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

__getattr__ = names_on_first_use(__name__, _WHERE)
