"""What the Custom Cloud provider offers, from one place: `CAPABILITIES` (what it can do today) and its
`extension.toml` (name, version, configuration keys, auth methods; read through the extension manifest
model, `provisioning.sdk.extensions`). `provider_capabilities()` and
`get_provider_info()` are two views of the same record, so they cannot disagree."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from provisioning.sdk.extensions.manifest import ExtensionManifest, load_manifest

from .api import catalog

__all__ = [
    "CAPABILITIES",
    "EXTENSION_TOML",
    "PROVIDER_NAME",
    "PROVIDER_VERSION",
    "extension",
    "get_provider_info",
    "provider_capabilities",
]

EXTENSION_TOML = Path(__file__).with_name("extension.toml")
"""The provider's extension manifest: name, version, configuration keys, auth methods."""

CAPABILITIES: dict[str, bool] = {
    "servers": True,
    "networks": True,
    "subnets": True,
    "load_balancers": True,
    "volumes": True,
    "lookups": True,
    "read_only_get": True,
    "import": True,
    "refresh": True,
    "in_place_updates": True,
    "cost_estimates": True,
    "idempotent_creates": True,
    "managed_databases": False,
    "auto_scaling": False,
}
"""Each capability and whether the provider has it today (every True claim is exercised by a test:
`tests/unit/custom_cloud/test_capabilities.py`). Databases are a task service on servers
(`components/taskservs/custom_database`), not a managed offering; there is no auto scaling."""


@cache
def extension() -> ExtensionManifest:
    """The provider's `extension.toml`, validated."""
    return load_manifest(EXTENSION_TOML)


PROVIDER_NAME: str = extension().extension.name
"""Provider name, as in extension.toml and the stack config namespace."""
PROVIDER_VERSION: str = extension().extension.version
"""Provider version, from extension.toml."""


def _components() -> dict[str, list[str]]:
    """The project's installed components by kind (entry point groups `provisioning.taskservs`, …)."""
    return {
        kind: sorted(e.name for e in entry_points(group=f"provisioning.{kind}"))
        for kind in ("taskservs", "clusters")
    }


def provider_capabilities() -> dict[str, Any]:
    """The capability record: `supports_<capability>` for each of `CAPABILITIES`, regions, machine types."""
    record: dict[str, Any] = {"name": PROVIDER_NAME, "version": PROVIDER_VERSION}
    record.update({f"supports_{name}": has for name, has in CAPABILITIES.items()})
    record["regions"] = list(catalog.REGIONS)
    record["machine_types"] = list(catalog.MACHINE_TYPES)
    return record


def get_provider_info() -> dict[str, Any]:
    """The provider registry record: name, version, capabilities, catalog, auth methods, configuration
    keys (from extension.toml) and the project's components."""
    configuration = extension().configuration
    return {
        "name": PROVIDER_NAME,
        "version": PROVIDER_VERSION,
        "capabilities": dict(CAPABILITIES),
        "regions": list(catalog.REGIONS),
        "zones": list(catalog.ALL_ZONES),
        "machine_types": list(catalog.MACHINE_TYPES),
        "disk_types": list(catalog.DISK_TYPES),
        "auth_methods": list(configuration.auth_methods),
        "configuration": {
            "required_env": list(configuration.required_env),
            "optional_env": list(configuration.optional_env),
            "stack_config": list(configuration.stack_config),
        },
        "components": _components(),
    }
