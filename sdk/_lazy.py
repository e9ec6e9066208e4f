"""A package's public names imported on first use: the `__getattr__` its `__init__` installs, so that
importing one part of it does not load the others."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from importlib import import_module
from typing import Any


def names_on_first_use(
    package: str, names: Collection[str] | Mapping[str, str], modules: Sequence[str] = ()
) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: each of `names` is looked up on first use, then kept on the
    package. A mapping names each name's submodule; otherwise the submodules `modules` are searched in
    that order."""

    def __getattr__(name: str) -> Any:
        if name in names:
            where = [names[name]] if isinstance(names, Mapping) else modules
            for module in where:
                value = getattr(import_module(f"{package}.{module}"), name, None)
                if value is not None:
                    setattr(sys.modules[package], name, value)
                    return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
