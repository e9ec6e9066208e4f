"""A minimal cluster declaration (kind "cluster") with two scalable tiers, for the scaling tests."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from provisioning.sdk.registry import Declaration, register
from provisioning.sdk.rules import AtLeast


class Tier(BaseModel):
    replicas: Annotated[int, AtLeast(1)] = 1


class Database(BaseModel):
    size: int = 1


class MiniConfig(BaseModel):
    app_name: str
    web_tier: Tier = Field(default_factory=Tier)
    app_tier: Tier = Field(default_factory=Tier)
    database_tier: Database = Field(default_factory=Database)


MINI = register(Declaration("test:clusters:Mini", MiniConfig, kind="cluster", category="test"))
