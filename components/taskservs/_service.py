"""What every task service here says about itself the same way: its declaration, registered by type token
`provisioning:taskservs:<Name>` (`declare`), and its `service_metadata` output (`metadata_of`). Imports no
Pulumi."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from pydantic import BaseModel

from provisioning.sdk.registry import CrossFieldRule, Declaration, register
from provisioning.sdk.taskservice.settings import ServiceMetadata

__all__ = ["SUPPORTED_OS", "declare", "metadata_of"]

SUPPORTED_OS = ("debian", "ubuntu")
"""The OS ids (`/etc/os-release` ID) every task service here installs on."""


class _Versioned(Protocol):
    @property
    def version(self) -> str: ...


def declare(name: str, model: type[BaseModel], category: str, rules: Sequence[CrossFieldRule]) -> Declaration:
    """The task service `name`'s declaration (kind "taskserv"), registered."""
    token = f"provisioning:taskservs:{name}"
    return register(Declaration(token, model, kind="taskserv", category=category, rules=tuple(rules)))


def metadata_of(
    declaration: Declaration,
    config: _Versioned,
    *,
    name: str,
    dependencies: Iterable[str],
    ports: Iterable[int],
    data_directories: Iterable[str] = (),
) -> ServiceMetadata:
    """The `service_metadata` of a task service of `declaration` run as `config` says: its description and
    category are the declaration's, its version the config's."""
    return ServiceMetadata(
        name=name,
        description=declaration.description,
        version=config.version,
        category=declaration.category or "",
        dependencies=tuple(dependencies),
        supported_os=SUPPORTED_OS,
        ports=tuple(ports),
        data_directories=tuple(data_directories),
    )
