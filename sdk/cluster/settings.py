"""What every cluster declares besides its own fields: the base of its config model. Imports no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict
from pydantic.fields import FieldInfo

from ..documented import DocumentedModel
from ..fields import OPTION
from ..rules import Matches, NotEmpty

__all__ = ["ClusterSettings", "Costly", "Fixed", "marked"]


@dataclass(frozen=True, slots=True)
class Fixed:
    """On a cluster field: a deployed stack refuses a change of it at preview, because the change would
    replace what `loses` says (`Annotated[str, Fixed("the database's data")]`)."""

    loses: str
    """What a change would replace and the user would lose, after "it would replace"."""


@dataclass(frozen=True, slots=True)
class Costly:
    """On a cluster field: a change of it on a deployed stack is made, and the preview warns first with
    `costs` (what the stack loses meanwhile, or for good)."""

    costs: str
    """What the change costs, after the field's name and its change."""


class ClusterSettings(DocumentedModel):
    """Base of a cluster's config model: its environment and what delete keeps, then its own fields."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    environment: Annotated[
        str,
        NotEmpty(),
        Matches(r"[a-z][a-z0-9-]{0,31}", "1 to 32 lowercase letters, digits and '-', first a letter"),
    ] = "production"
    """Deployment environment (`production`, `staging`, …), passed to the services that report it."""
    keep_data: Annotated[bool, OPTION] = False
    """On delete, leave the data services' data on retained volumes (everything else is removed)."""


def marked(model: type[BaseModel], kind: type[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, marker) of every field of `model` (sections walked) carrying a marker of `kind`."""
    for name, info in model.model_fields.items():
        section = _section(info)
        if section is not None:
            yield from marked(section, kind, f"{prefix}{name}.")
        for item in info.metadata:
            if isinstance(item, kind):
                yield f"{prefix}{name}", item


def _section(info: FieldInfo) -> type[BaseModel] | None:
    tp = info.annotation
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None
