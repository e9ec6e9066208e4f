"""What every task service declares besides its own fields: the base of its config model, its metadata,
the record of one health check and the change categories `planned_changes` reports. Imports no Pulumi."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict

from ..documented import DocumentedModel
from ..fields import FROM_RESOURCE_NAME, OPTION
from ..rules import Matches
from ..schemas import TaskServiceConfig

__all__ = ["CATEGORIES", "Category", "HealthCheck", "ServiceMetadata", "SettingsModel", "TaskServiceSettings"]

Category = Literal["install", "configure", "update"]
"""What a step's run is, as `planned_changes` lists it."""
CATEGORIES: tuple[Category, ...] = ("install", "configure", "update")
"""The categories in the order `planned_changes` lists them."""


class SettingsModel(DocumentedModel):
    """Base of nested config sections: unknown fields are errors, field docstrings are the docs."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TaskServiceSettings(TaskServiceConfig, DocumentedModel):
    """Base of a task service's config model: its name and version, what delete keeps, its own fields."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: Annotated[
        str,
        FROM_RESOURCE_NAME,
        Matches(
            r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
            "1 to 63 lowercase letters, digits and dashes, starting with a letter and not ending with a dash",
        ),
    ]
    """Instance name (default: the Pulumi resource name)."""
    keep_data: Annotated[bool, OPTION] = False
    """On delete, leave the service's data on the host (everything else is removed)."""


class ServiceMetadata(DocumentedModel):
    """What a task service is: the `service_metadata` output."""

    model_config = ConfigDict(frozen=True)

    name: str
    """The task service's name (`custom-database`)."""
    description: str
    """One line on what it runs."""
    version: str
    """The version the config asks for."""
    category: str
    """What kind of service it is (`database`)."""
    dependencies: tuple[str, ...] = ()
    """OS packages it installs or needs."""
    supported_os: tuple[str, ...] = ()
    """OS ids (`/etc/os-release` ID) it installs on."""
    ports: tuple[int, ...] = ()
    """TCP ports it listens on."""
    data_directories: tuple[str, ...] = ()
    """Folders holding its data, kept on delete with `keep_data`."""


class HealthCheck(DocumentedModel):
    """One health check's latest result: an item of the `checks` output."""

    model_config = ConfigDict(frozen=True)

    name: str
    """What was checked (`connect`, `replica-0:streaming`)."""
    status: Literal["pass", "fail"]
    """Its result."""
    message: str
    """What was seen, or why it failed."""
    last_check: str
    """When it ran on the host (UTC, ISO 8601)."""
