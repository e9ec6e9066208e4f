"""Base schemas extensions build on: the provider and task-service configuration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = ["ProviderConfig", "SchemaModel", "TaskServiceConfig"]


class SchemaModel(BaseModel):
    """Common model settings: unknown fields are errors, values are checked on assignment too."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)


class ProviderConfig(SchemaModel):
    """Configuration shared by every provider (credentials and endpoint live in the subclasses)."""

    region: str | None = None
    """Default region for resources that do not name one."""


class TaskServiceConfig(SchemaModel):
    """A task service: software installed and run on servers."""

    name: str
    """Task service name."""
    version: str = "latest"
    """Version to install."""

    @field_validator("name")
    @classmethod
    def _name_not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("name cannot be empty")
        return value
