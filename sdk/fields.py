"""Field roles: markers on a declaration's pydantic fields, and what is derived from them.

A resource's fields are declared once, in one pydantic model; each field's role is a marker in its
`Annotated[...]` metadata. Everything else (the API's update body, which changes replace, which inputs the
provider compares, the outputs) is computed here from those markers. Imports no Pulumi."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

__all__ = [
    "CHECK_ONLY",
    "Behind",
    "COMPUTED",
    "FILLED_BY_SERVICE",
    "FROM_RESOURCE_NAME",
    "GROW_ONLY",
    "IN_PLACE",
    "INTERNAL",
    "OPTION",
    "OUTPUT",
    "Role",
    "UpdateBody",
    "behind_fields",
    "compared_fields",
    "fields_with",
    "has_role",
    "in_place_fields",
    "output_fields",
    "replace_fields",
    "update_model",
]


@dataclass(frozen=True, slots=True)
class Role:
    """A field's role, put in its `Annotated[...]` metadata (`Annotated[int, GROW_ONLY]`)."""

    name: str
    """The role's name."""


IN_PLACE = Role("in-place")
"""The API changes this field in place (it is in the API's update body)."""
GROW_ONLY = Role("grow-only")
"""Changes in place when the number grows; shrinking replaces the resource."""
OPTION = Role("option")
"""Steers the provider only (timeouts, what delete keeps): never sent to the API, never replaces."""
CHECK_ONLY = Role("check-only")
"""Only steers validation (e.g. the region a zone must be in): never sent, never compared."""
COMPUTED = Role("computed")
"""Filled by the provider's check (e.g. the estimated cost): never set by users, never compared."""
INTERNAL = Role("internal")
"""Set by the resource class itself (e.g. the idempotency scope): not a user argument."""
FROM_RESOURCE_NAME = Role("from-resource-name")
"""Required by the API, optional for users: the resource fills it from the Pulumi resource name."""
FILLED_BY_SERVICE = Role("filled-by-service")
"""Optional: when unset, the service fills it in (a server's vpc from its subnet). An unset value never
differs from the one the service chose, so it never shows as a diff."""
OUTPUT = Role("output")
"""On a response model: the API's answer for this field is a resource output."""

_NOT_COMPARED = (COMPUTED, CHECK_ONLY, INTERNAL)


@dataclass(frozen=True, slots=True)
class Behind:
    """On an INTERNAL field: the value of `field` of the program's resource whose output the input
    `reference` is. `Annotated[CIDR | None, INTERNAL, Behind("network_id", "cidr")]` on a subnet is the cidr
    of the Network whose `id` its `network_id` is: known at preview before that network exists, so rules
    between the two decide then."""

    reference: str
    """The input that points at another resource (`network_id`)."""
    field: str
    """The field of that resource to pass on (`cidr`)."""


def has_role(info: FieldInfo, role: Role) -> bool:
    """Whether the field carries `role` in its metadata (GROW_ONLY implies IN_PLACE)."""
    roles = set(info.metadata)
    return role in roles or (role is IN_PLACE and GROW_ONLY in roles)


@cache  # models are classes, fixed once defined: every resource and check asks again
def fields_with(model: type[BaseModel], *roles: Role) -> tuple[str, ...]:
    """The fields of `model` that carry any of `roles`, in declaration order."""
    return tuple(n for n, info in model.model_fields.items() if any(has_role(info, r) for r in roles))


@cache
def behind_fields(model: type[BaseModel]) -> dict[str, Behind]:
    """The fields of `model` filled from the resources their references point at, with what fills each."""
    return {
        name: marker
        for name, info in model.model_fields.items()
        for marker in info.metadata
        if isinstance(marker, Behind)
    }


@cache
def in_place_fields(model: type[BaseModel]) -> frozenset[str]:
    """Fields whose change never replaces: in place, grow-only (when growing) and provider options."""
    return frozenset(fields_with(model, IN_PLACE, OPTION))


@cache
def compared_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields `diff` compares: all but computed, check-only and internal ones."""
    skip = set(fields_with(model, *_NOT_COMPARED))
    return tuple(n for n in model.model_fields if n not in skip)


@cache
def replace_fields(model: type[BaseModel]) -> frozenset[str]:
    """Compared fields whose every change needs a new resource (grow-only ones are decided by value)."""
    return frozenset(compared_fields(model)) - in_place_fields(model)


@cache
def output_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields of a response model marked OUTPUT."""
    return fields_with(model, OUTPUT)


class UpdateBody(BaseModel):
    """Base of the derived update bodies: unknown fields are errors; absent fields stay unchanged."""

    model_config = ConfigDict(extra="forbid")


def update_model(base: type[BaseModel]) -> type[UpdateBody]:
    """The API's update body of `base`: its in-place fields, each optional (None: unchanged).

    Subclass it to name it: `class InstanceUpdate(update_model(InstanceBase)): ...`."""
    definitions: dict[str, Any] = {}
    for field_name in fields_with(base, IN_PLACE):
        info = base.model_fields[field_name]
        definitions[field_name] = (
            info.rebuild_annotation() | None,
            Field(None, description=info.description),
        )
    name = base.__name__.removesuffix("Base") + "Fields"
    return create_model(name, __base__=UpdateBody, __module__=base.__module__, **definitions)
