"""What every cluster declares besides its own fields: the base of its config model. Imports no Pulumi."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict

from ..fields import OPTION
from ..rules import Matches, NotEmpty

__all__ = ["ClusterSettings"]


class ClusterSettings(BaseModel):
    """Base of a cluster's config model: its environment and what delete keeps, then its own fields."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_attribute_docstrings=True)

    environment: Annotated[
        str,
        NotEmpty(),
        Matches(r"[a-z][a-z0-9-]{0,31}", "1 to 32 lowercase letters, digits and '-', first a letter"),
    ] = "production"
    """Deployment environment (`production`, `staging`, …), passed to the services that report it."""
    keep_data: Annotated[bool, OPTION] = False
    """On delete, leave the data services' data on retained volumes (everything else is removed)."""
