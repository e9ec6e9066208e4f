"""The registry of declarations by type token (`custom-cloud:Server`): one model and its rules per resource,
task service and cluster, for the providers' `check`, the policy pack and the extension tooling.

Built-in and third-party extensions join it the same way: a module that calls `register(...)`, named by an
entry point in one of `ENTRY_POINT_GROUPS`; the registry loads those modules on its first lookup.
Imports no Pulumi."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from .fields import COMPUTED, fields_with, output_fields
from .validation import Violation, violations

__all__ = [
    "ENTRY_POINT_GROUPS",
    "CrossFieldRule",
    "Declaration",
    "ExtensionLoadError",
    "UnknownTypeToken",
    "declaration",
    "declaration_for_type",
    "declarations",
    "register",
]

ENTRY_POINT_GROUPS = (
    "provisioning.providers",
    "provisioning.taskservs",
    "provisioning.clusters",
)
"""Entry point groups whose modules register declarations when loaded."""

CrossFieldRule = Callable[[Any], list[Violation]]
"""A rule over a whole valid model (e.g. "the zone is in the region"), returning what it finds broken."""

Kind = Literal["resource", "taskserv", "cluster"]


class UnknownTypeToken(LookupError):
    """No declaration is registered for a type token."""


class ExtensionLoadError(ImportError):
    """An installed extension's entry point does not load (its module is missing or broken)."""


@dataclass(frozen=True)
class Declaration:
    """One resource, task service or cluster: its type token, its model, its cross-field rules."""

    type_token: str
    """`<package>:<Name>` (`custom-cloud:Server`) or `<package>:<module>:<Name>` for components."""
    model: type[BaseModel]
    """The one declaration of its fields, types, defaults, limits and roles."""
    response: type[BaseModel] | None = None
    """The API's answer for it, whose OUTPUT-marked fields are outputs (None: the model's fields only)."""
    kind: Kind = "resource"
    """What it declares."""
    category: str | None = None
    """What it is for (`database`, `load-balancer`, `monitoring`, …): rules that apply to a kind of service
    (e.g. "production databases are backed up") find it by this."""
    rules: Sequence[CrossFieldRule] = field(default_factory=tuple)
    """Rules across fields, run on a model that passed its field rules."""

    @property
    def description(self) -> str:
        """The model's docstring, first line."""
        return (self.model.__doc__ or "").strip().splitlines()[0] if self.model.__doc__ else ""

    @property
    def output_names(self) -> tuple[str, ...]:
        """Outputs beyond the model's own fields: the response's OUTPUT-marked fields."""
        return () if self.response is None else output_fields(self.response)

    def settable(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        """The properties that are the model's fields, without computed ones and None ("not set")."""
        computed = set(fields_with(self.model, COMPUTED))
        fields = self.model.model_fields
        return {k: v for k, v in properties.items() if k in fields and k not in computed and v is not None}

    def check(self, properties: Mapping[str, Any], *, unknown: Collection[str] = ()) -> list[Violation]:
        """Every rule `properties` breaks (field rules, then cross-field rules); empty when valid.

        Computed fields and other keys are ignored, None means "not set", and fields named in `unknown`
        (values not known yet at preview) are left out: cross-field rules then wait for them."""
        data = {k: v for k, v in self.settable(properties).items() if k not in unknown}
        found = [v for v in violations(self.model, data) if v.field.split(".")[0] not in unknown]
        if found:
            return found
        if not unknown:
            return [v for rule in self.rules for v in rule(self.model.model_validate(data))]
        partial = _partial(self.model, data, unknown)
        for rule in self.rules if partial is not None else ():
            try:
                found.extend(rule(partial))
            except AttributeError:  # it reads a value not known yet: it decides when that value is
                continue
        return found


def _partial(model: type[BaseModel], data: Mapping[str, Any], unknown: Collection[str]) -> BaseModel | None:
    """`model` with the known `data` validated field by field, defaults for fields not given, and no
    attribute at all for the `unknown` ones (nor for required ones not given): a cross-field rule that reads
    one of those raises AttributeError, while a rule over known fields (a zone against a configured region)
    decides now, at preview. None when the model's own validators need the whole model."""
    instance = model.model_construct()
    try:
        for name, value in data.items():
            model.__pydantic_validator__.validate_assignment(instance, name, value)
    except (ValidationError, AttributeError):
        return None
    for name in unknown:
        instance.__dict__.pop(name, None)
    return instance


_registry: dict[str, Declaration] = {}
_loaded = False
_lock = threading.Lock()


def register(decl: Declaration) -> Declaration:
    """Add `decl` (a token registered twice must be the same model); returns it."""
    with _lock:
        known = _registry.get(decl.type_token)
        if known is not None and known.model is not decl.model:
            raise ValueError(
                f"type token {decl.type_token!r} is already registered by {known.model.__module__}."
                f"{known.model.__qualname__}"
            )
        _registry[decl.type_token] = decl
    return decl


def _load_entry_points() -> None:
    global _loaded
    if _loaded:
        return
    for group in ENTRY_POINT_GROUPS:
        for entry in entry_points(group=group):
            try:
                entry.load()
            except Exception as exc:
                raise ExtensionLoadError(
                    f"the extension entry point {entry.name!r} of {group} ({entry.value}) failed to load: "
                    f"{exc}; reinstall or uninstall the package that declares it"
                ) from exc
    _loaded = True


def declarations() -> dict[str, Declaration]:
    """Every registered declaration by type token (installed extensions included)."""
    _load_entry_points()
    return dict(_registry)


def declaration(type_token: str) -> Declaration:
    """The declaration of `type_token`; `UnknownTypeToken` names the known ones if there is none."""
    found = declarations().get(type_token)
    if found is None:
        known = ", ".join(sorted(_registry)) or "none"
        raise UnknownTypeToken(f"no declaration for type {type_token!r}; registered: {known}")
    return found


def declaration_for_type(resource_type: str) -> Declaration | None:
    """The declaration of a Pulumi resource type as the engine names it
    (`pulumi-python:dynamic/custom-cloud:Server` or `custom-cloud:Server`), or None."""
    token = resource_type.removeprefix("pulumi-python:").removeprefix("dynamic/")
    return declarations().get(token)
