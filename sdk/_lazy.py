"""A package's public names imported on first use: the `__getattr__` its `__init__` installs, so that
importing one part of it does not load the others."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from importlib import import_module
from importlib.abc import InspectLoader
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


def exports_on_first_use(package: str) -> tuple[list[str], Callable[[str], Any]]:
    """`__all__` and `__getattr__` of `package`, read from its `__init__`, the one list of its public names:
    one `from .module import Name as Name` line a name (which type checkers read as a re-export), at the top
    for a name imported with the package, inside `if TYPE_CHECKING:` for one the `__getattr__` imports
    from `.module` on first use.

    >>> __all__, __getattr__ = exports_on_first_use(__name__)  # doctest: +SKIP
    """
    loader = getattr(sys.modules[package].__spec__, "loader", None)
    source = loader.get_source(package) if isinstance(loader, InspectLoader) else None
    if source is None:
        raise ImportError(f"{package}: its source is needed to read its exports", name=package)
    eager: set[str] = set()
    lazy: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            eager.update(_exported(package, node)[1])
        elif isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for line in node.body:
                if not isinstance(line, ast.ImportFrom) or line.level != 1:
                    raise ImportError(f"{package}: only `from .module import Name as Name` in its exports")
                module, names = _exported(package, line)
                lazy.update(dict.fromkeys(names, module))
    return sorted(eager | set(lazy)), names_on_first_use(package, lazy)


def _exported(package: str, line: ast.ImportFrom) -> tuple[str, list[str]]:
    """The module and the names a relative `from .module import Name as Name` line of `package`'s
    `__init__` exports."""
    if not line.module:
        raise ImportError(f"{package}: only `from .module import Name as Name` in its exports")
    for alias in line.names:
        if alias.asname != alias.name:
            raise ImportError(f"{package}: write `{alias.name} as {alias.name}` in its exports")
    return line.module, [alias.name for alias in line.names]
