"""The base of the shared section shapes: `for_service` makes one service's own section from a shape, with
the service's class doc and the fields it declares again (its defaults, words and rules) or adds. Imports no
Pulumi."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Self, TypeVar

from pydantic import Field, create_model

from provisioning.sdk.taskservice.settings import SettingsModel

__all__ = ["Default", "Section", "defaults"]

_Made = TypeVar("_Made", bound=SettingsModel)


@dataclass(frozen=True)
class Default:
    """A field's default and doc in one service: `...` for none (the field is required), no doc for the
    shape's."""

    value: Any = ...
    """The default."""
    doc: str | None = None
    """The doc, when it is not the shape's."""


class Section(SettingsModel):
    """A config section's shape: each field's type, rule and shared doc; a service's own section is made
    from it by `for_service`."""

    @classmethod
    def for_service(cls, *, doc: str | None = None, **fields: Default | tuple[Any, Default]) -> type[Self]:
        """A subclass of this shape named as it is, in the caller's module, documented by `doc` (default: as
        the shape is), with `fields`: a `Default` declares a field of the shape again, its type and rules
        kept; an `(annotation, Default)` pair gives the annotation too, or adds a field after the shape's."""
        declared: dict[str, Any] = {}
        for field, given in fields.items():
            annotation, default = given if isinstance(given, tuple) else (None, given)
            inherited = cls.model_fields.get(field)
            if annotation is None:
                if inherited is None:
                    raise TypeError(f"{cls.__name__} has no field {field!r} to declare again")
                annotation = inherited.annotation
                if inherited.metadata:
                    annotation = Annotated[(annotation, *inherited.metadata)]
            description = default.doc if default.doc is not None else inherited and inherited.description
            declared[field] = (annotation, Field(default.value, description=description))
        module = sys._getframe(1).f_globals["__name__"]
        made: type[Self] = create_model(
            cls.__name__, __base__=cls, __module__=module, __doc__=doc or cls.__doc__, **declared
        )
        return made


def defaults(made: type[_Made]) -> Callable[[], _Made]:
    """A service's section as its config field's default factory: the section has a default for each field
    its shape leaves to the service (which the type checker, reading the shape, cannot know)."""
    return made
