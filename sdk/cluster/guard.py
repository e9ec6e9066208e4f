"""`FieldGuard`: the child of a cluster that holds the values of its `Fixed` and `Costly` fields as deployed,
so that a change of one is seen at preview, before any other resource changes: a `Fixed` field's change is
refused (its provider's check fails, naming the field, both values and what the change would replace), a
`Costly` field's change warns with what it costs (a hook before its update, at preview too). Every server
and network of the cluster depends on it, so even `pulumi up --skip-preview` stops before anything."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic as dyn
from pydantic import BaseModel

from .._pickling import pickler_restored
from .settings import Costly, Fixed, marked

__all__ = ["FIELDS", "FieldGuard", "field_values", "refusals", "warnings"]

FIELDS = "__fields"
"""The input that says, per marked field, its kind (`fixed`, `costly`) and what it says; the other inputs
are the marked fields' values, each under its dotted path (so that a refusal shows the property's value)."""
_NOT_VALUES = (FIELDS, "__provider")


def _value(config: BaseModel, path: str) -> Any:
    found: Any = config
    for part in path.split("."):
        found = getattr(found, part)
    return found.model_dump(mode="json") if isinstance(found, BaseModel) else found


def field_values(config: BaseModel) -> dict[str, Any]:
    """The guard's inputs for `config`: the value of each `Fixed` and `Costly` field by its dotted path,
    and under `FIELDS` each one's kind and what its change loses or costs."""
    model = type(config)
    fields: dict[str, dict[str, str]] = {}
    for path, fixed in marked(model, Fixed):
        fields[path] = {"kind": "fixed", "says": fixed.loses}
    for path, costly in marked(model, Costly):
        fields[path] = {"kind": "costly", "says": costly.costs}
    return {**{path: _value(config, path) for path in fields}, FIELDS: fields}


def _values(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in _NOT_VALUES}


def _changed(olds: dict[str, Any], news: dict[str, Any], kind: str) -> list[tuple[str, Any, Any, str]]:
    """(path, old value, new value, what it says) of every field of `kind` whose deployed value differs."""
    return [
        (path, olds[path], news.get(path), entry["says"])
        for path, entry in (news.get(FIELDS) or {}).items()
        if entry["kind"] == kind and path in olds and olds[path] != news.get(path)
    ]


def refusals(olds: dict[str, Any], news: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, reason) for every `Fixed` field whose deployed value `news` changes."""
    return [
        (
            path,
            f"{path} cannot change on a deployed stack ({old!r} -> {new!r}): it would replace {says}; "
            f"keep {old!r}, or deploy a new stack with {new!r}",
        )
        for path, old, new, says in _changed(olds, news, "fixed")
    ]


def warnings(olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
    """The preview's warning for every `Costly` field whose value changes."""
    return [f"{path} {old!r} -> {new!r}: {says}" for path, old, new, says in _changed(olds, news, "costly")]


class _GuardProvider(dyn.ResourceProvider):
    """Refuses a change of a fixed field in `check`; holds nothing."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        failures = [dyn.CheckFailure(field, reason) for field, reason in refusals(olds, news)]
        return dyn.CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.DiffResult:
        """A change of a value (a costly field's: its warning hook runs before the update); a new text
        alone is no change."""
        changes = _values(olds) != _values(news)
        return dyn.DiffResult(changes=changes, replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        return dyn.CreateResult("field-guard", _values(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> dyn.UpdateResult:
        return dyn.UpdateResult(_values(news))


def _warn(args: pulumi.ResourceHookArgs) -> None:
    for message in warnings(dict(args.old_inputs or {}), dict(args.new_inputs or {})):
        pulumi.log.warn(message)


class FieldGuard(dyn.Resource, module="provisioning", name="FieldGuard"):
    """The deployed values of a cluster's fixed and costly fields (see the module docstring)."""

    def __init__(self, name: str, config: BaseModel, *, opts: pulumi.ResourceOptions | None = None) -> None:
        hook = _hook(name)
        if hook is not None:
            binding = pulumi.ResourceHookBinding(before_update=[hook])
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(hooks=binding))
        with pickler_restored():
            super().__init__(_GuardProvider(), name, field_values(config), opts)


def _hook(name: str) -> pulumi.ResourceHook | None:
    """The warning hook (before the guard's update, at preview too); None under `pulumi.runtime.Mocks`,
    which serves no hooks."""
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.settings import get_monitor

    if isinstance(get_monitor(), MockMonitor):
        return None
    return pulumi.ResourceHook(f"{name}-warning", _warn, pulumi.ResourceHookOptions(on_dry_run=True))
