"""What the Custom Cloud provider offers (provider_capabilities and get_provider_info)."""

from __future__ import annotations

from typing import Any

from .api import catalog

__all__ = ["PROVIDER_NAME", "PROVIDER_VERSION", "get_provider_info", "provider_capabilities"]

PROVIDER_NAME = "custom-cloud"
"""Provider name, as in extension.toml and the stack config namespace."""
PROVIDER_VERSION = "1.0.0"
"""Provider version."""


def provider_capabilities() -> dict[str, Any]:
    """The capability record, from the catalog."""
    return {
        "name": PROVIDER_NAME,
        "supports_auto_scaling": True,
        "supports_load_balancing": True,
        "supports_managed_databases": True,
        "regions": list(catalog.REGIONS),
        "machine_types": list(catalog.MACHINE_TYPES),
    }


def get_provider_info() -> dict[str, Any]:
    """The provider registry record: name, version, capabilities, regions, machine types, auth."""
    return {
        "name": PROVIDER_NAME,
        "version": PROVIDER_VERSION,
        "capabilities": {"servers": True, "load_balancers": True, "databases": False, "storage": True},
        "regions": list(catalog.REGIONS),
        "zones": list(catalog.ALL_ZONES),
        "machine_types": list(catalog.MACHINE_TYPES),
        "disk_types": list(catalog.DISK_TYPES),
        "auth_methods": ["api_key", "oauth"],
    }
