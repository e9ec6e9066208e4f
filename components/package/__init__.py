"""The component package `provisioning`: WebStack and CustomDatabase, the classes Python users import,
served by Pulumi's `component_provider_host` so that programs in every Pulumi language add them with
`pulumi package add` (docs/typescript.md). The schema is inferred from types written from the declarations:
a field added to a config model is an input of the package with no other edit.

This folder is the plugin: `PulumiPlugin.yaml` (its Python is the venv this package is installed in) and
`__main__.py` (the entry point)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ._served import PACKAGE

if TYPE_CHECKING:
    import pulumi

__all__ = ["PACKAGE", "components", "plugin_dir", "serve"]


def plugin_dir() -> Path:
    """The folder to give `pulumi package add` (`<venv>/lib/python3.X/site-packages/provisioning/components/
    package` once pip-installed)."""
    return Path(__file__).resolve().parent


def components() -> list[type[pulumi.ComponentResource]]:
    """The served component classes, in the order of the schema."""
    from ._generated import SERVED, served_module

    module = served_module()
    return [getattr(module, name) for name in SERVED]


def serve() -> None:
    """Run the provider (the engine starts it through the plugin's `__main__.py`)."""
    from importlib.metadata import version

    from pulumi.provider.experimental import component_provider_host

    component_provider_host(components(), name=PACKAGE, version=version("provisioning"))
