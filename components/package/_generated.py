"""The module holding the package's served components and their input types, made at import from the
source `_source` writes, with a loader that hands that source to `inspect` (Pulumi's schema inference reads
attribute docstrings from source)."""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NotRequired, Required, TypedDict

import pulumi

from ._served import CustomDatabaseHost, CustomDatabaseInputs, WebStackHost, WebStackInputs
from ._source import ComponentSource, component_source

__all__ = ["MODULE_NAME", "SERVED", "module_of", "served_module"]

MODULE_NAME = "provisioning.components.package.served"
"""The generated module's name (it has no file: its source is written at import)."""


def _served() -> tuple[ComponentSource, ...]:
    from provisioning.components.clusters.web_stack import WEB_STACK
    from provisioning.components.clusters.web_stack.component import WebStack
    from provisioning.components.taskservs.custom_database import CUSTOM_DATABASE
    from provisioning.components.taskservs.custom_database.component import CustomDatabase

    return (
        ComponentSource("WebStack", WEB_STACK.model, WebStackInputs, WebStack, "WebStackHost"),
        ComponentSource(
            "CustomDatabase",
            CUSTOM_DATABASE.model,
            CustomDatabaseInputs,
            CustomDatabase,
            "CustomDatabaseHost",
        ),
    )


SERVED: tuple[str, ...] = ("WebStack", "CustomDatabase")
"""The components the package serves, by name."""

_NAMESPACE: dict[str, Any] = {
    "pulumi": pulumi,
    "typing": typing,
    "Any": Any,
    "TypedDict": TypedDict,
    "Required": Required,
    "NotRequired": NotRequired,
    "WebStackHost": WebStackHost,
    "CustomDatabaseHost": CustomDatabaseHost,
}
"""What the generated source refers to."""


class _SourceLoader(importlib.abc.InspectLoader):
    """Loads one module from source text and gives that text to `inspect` and `linecache`."""

    def __init__(self, source: str, path: str) -> None:
        self.source = source
        self.path = path

    def get_source(self, fullname: str) -> str:
        return self.source

    def is_package(self, fullname: str) -> bool:
        return False

    def exec_module(self, module: types.ModuleType) -> None:
        module.__dict__.update(_NAMESPACE)
        exec(compile(self.source, self.path, "exec", dont_inherit=True), module.__dict__)


def served_module() -> types.ModuleType:
    """The module of the served components (`WebStack`, `CustomDatabase`) and their input types, written
    from the declarations on first use."""
    found = sys.modules.get(MODULE_NAME)
    return found if found is not None else module_of(MODULE_NAME, _served())


def module_of(name: str, components: Sequence[ComponentSource]) -> types.ModuleType:
    """A module `name` (registered in `sys.modules`) holding `components`' classes and input types."""
    source = "\n\n".join(component_source(component) for component in components)
    # no such file: inspect asks the loader for the source
    path = str(Path(__file__).with_name(name.rsplit(".", 1)[-1] + ".py"))
    loader = _SourceLoader(source, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
