"""Base schemas every extension builds on: provider, server, task service and cluster configuration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ClusterConfig", "ProviderConfig", "SchemaModel", "ServerConfig", "TaskServiceConfig"]


class SchemaModel(BaseModel):
    """Common model settings: unknown fields are errors, values are checked on assignment too."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)


class ProviderConfig(SchemaModel):
    """Configuration shared by every provider (credentials and endpoint live in the subclasses)."""

    region: str | None = None
    """Default region for resources that do not name one."""


class ServerConfig(SchemaModel):
    """A server as every provider sees it; providers add machine type, zone, disks …"""

    name: str | None = Field(default=None, max_length=63)
    """Server name; defaults to the Pulumi resource name."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Free-form key/value labels."""


class _NamedConfig(SchemaModel):
    """A schema whose `name` is required and not empty."""

    name: str

    @field_validator("name")
    @classmethod
    def _name_not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("name cannot be empty")
        return value


class TaskServiceConfig(_NamedConfig):
    """A task service: software installed and run on servers."""

    name: str
    """Task service name."""
    version: str = "latest"
    """Version to install."""


class ClusterConfig(_NamedConfig):
    """A cluster: several services orchestrated as one application stack."""

    name: str
    """Cluster name."""
    environment: str = "production"
    """Deployment environment."""
