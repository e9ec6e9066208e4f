"""A deployed cluster's stack, driven through Pulumi's Automation API: read its cluster, scale a tier.

Scaling sets `<config_key>.<tier>_tier.replicas` in the stack's config (the object the program reads its
cluster config from), previews, and applies. The new value is checked against the cluster's declaration
first, so a bad count fails before anything changes; a failed preview puts the old value back."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi import automation as auto
from pulumi.automation import events

from ..registry import Declaration, declaration_for_type
from .errors import InvalidReplicas, InvalidTier, NoCluster, ScaleFailed
from .tiers import scalable_tiers

__all__ = ["Change", "ClusterResource", "ClusterStack", "ScaleResult"]

_NO_CHANGE = {events.OpType.SAME, events.OpType.READ, events.OpType.REFRESH}
_PROVIDERS = "pulumi:providers:"
"""Provider resources are left out: the default provider of dynamic resources records the stack's whole
config, so it shows as updated on every config change, changing nothing."""


@dataclass(frozen=True)
class ClusterResource:
    """A cluster component as the stack's state recorded it."""

    name: str
    type: str
    declaration: Declaration
    inputs: Mapping[str, Any]
    """Its config, defaults applied (the component registers its config as its inputs)."""
    outputs: Mapping[str, Any]


@dataclass(frozen=True)
class Change:
    """One resource the preview or update changes."""

    op: str
    """`create`, `update`, `delete`, `replace`, …"""
    type: str
    name: str

    def __str__(self) -> str:
        sign = {"create": "+", "delete": "-", "update": "~"}.get(self.op, "+-")
        return f"{sign} {self.type} {self.name} ({self.op})"


@dataclass
class ScaleResult:
    """What a scale did."""

    tier: str
    before: int
    after: int
    changes: list[Change] = field(default_factory=list)
    """What the preview showed."""
    applied: bool = False
    seconds: float = 0.0


class ClusterStack:
    """One stack holding one cluster, and the config object its program reads the cluster's config from."""

    def __init__(self, stack: auto.Stack, cluster: ClusterResource, *, config_key: str = "cluster") -> None:
        self.stack = stack
        self.cluster = cluster
        self.config_key = config_key

    @classmethod
    def select(
        cls, stack_name: str, work_dir: str, *, config_key: str = "cluster", cluster: str | None = None
    ) -> ClusterStack:
        """The stack `stack_name` of the project in `work_dir` (as `pulumi -s NAME` there would see it)."""
        try:
            stack = auto.select_stack(stack_name=stack_name, work_dir=work_dir)
            deployment = stack.export_stack().deployment or {}
        except auto.CommandError as exc:
            raise NoCluster(f"cannot open stack {stack_name} in {work_dir}: {_tail(exc)}") from exc
        found = _clusters(deployment)
        if cluster is not None:
            found = [c for c in found if c.name == cluster]
        if len(found) != 1:
            names = ", ".join(c.name for c in _clusters(deployment)) or "none"
            what = f"no cluster named {cluster!r}" if cluster else f"{len(found)} clusters"
            raise NoCluster(f"stack {stack_name} holds {what} (clusters: {names}); deploy one, or name it")
        return cls(stack, found[0], config_key=config_key)

    @property
    def tiers(self) -> dict[str, str]:
        """The tiers that scale: name -> config section."""
        return scalable_tiers(self.cluster.declaration.model)

    def section(self, tier: str) -> Mapping[str, Any]:
        """The tier's config as last deployed (defaults applied)."""
        section: Mapping[str, Any] = self.cluster.inputs.get(self._section(tier)) or {}
        return section

    def replicas(self, tier: str) -> int:
        """The tier's replicas as last deployed."""
        return int(self.section(tier).get("replicas", 0))

    def endpoint(self, name: str) -> str | None:
        """One of the cluster's `endpoints` outputs (`web`, `monitoring`), if it has it."""
        value = (self.cluster.outputs.get("endpoints") or {}).get(name)
        return str(value) if value else None

    def scale(
        self,
        tier: str,
        replicas: int,
        *,
        apply: bool = True,
        on_change: Callable[[Change], None] | None = None,
    ) -> ScaleResult:
        """Set the tier's replicas, preview, and (with `apply`) update the stack."""
        self.check(tier, replicas)
        section = self._section(tier)
        result = ScaleResult(tier, self.replicas(tier), replicas)
        key = f"{self.config_key}.{section}.replicas"
        recorded = self._stack_config()
        previous = recorded.get(section, {}).get("replicas")
        # what puts the config back: the old value, else no key (and no section if it had none)
        restore = key if section in recorded else f"{self.config_key}.{section}"
        started = time.monotonic()
        self.stack.set_config(key, auto.ConfigValue(str(replicas)), path=True)
        try:
            self.stack.preview(on_event=_collect(result.changes, on_change), color="never")
        except auto.CommandError as exc:
            self._restore(restore, previous)
            raise ScaleFailed(f"the preview failed, the config is as it was: {_tail(exc)}") from exc
        if not apply:
            self._restore(restore, previous)
            result.seconds = time.monotonic() - started
            return result
        try:
            self.stack.up(color="never")
        except auto.CommandError as exc:
            raise ScaleFailed(
                f"the update failed; the stack's config now asks for {replicas} {tier} replicas "
                f"(run `pulumi up` again, or scale back): {_tail(exc)}"
            ) from exc
        result.applied = True
        result.seconds = time.monotonic() - started
        return result

    def check(self, tier: str, replicas: int) -> None:
        """`InvalidTier` or `InvalidReplicas` unless the cluster's rules allow `replicas` in `tier`."""
        section = self._section(tier)
        proposed = copy.deepcopy(dict(self.cluster.inputs))
        proposed[section] = {**(proposed.get(section) or {}), "replicas": replicas}
        found = self.cluster.declaration.check(proposed)
        if found:
            raise InvalidReplicas(found)

    def _section(self, tier: str) -> str:
        tiers = self.tiers
        if tier not in tiers:
            raise InvalidTier(tier, list(tiers))
        return tiers[tier]

    def _stack_config(self) -> dict[str, Any]:
        full = f"{self.stack.workspace.project_settings().name}:{self.config_key}"
        value = self.stack.get_all_config().get(full)
        if value is None:
            raise NoCluster(
                f"the stack's config has no {full!r} object: the program must read its cluster config "
                f"from it (pulumi config set --path {self.config_key}.app_name NAME)"
            )
        config: dict[str, Any] = json.loads(value.value)
        return config

    def _restore(self, key: str, previous: Any) -> None:
        if previous is None:
            self.stack.remove_config(key, path=True)
        else:
            self.stack.set_config(key, auto.ConfigValue(json.dumps(previous)), path=True)


def _clusters(deployment: Mapping[str, Any]) -> list[ClusterResource]:
    found = []
    for resource in deployment.get("resources", []) or []:
        kind = str(resource.get("type", ""))
        declaration = declaration_for_type(kind)
        if declaration is not None and declaration.kind == "cluster":
            name = str(resource.get("urn", "")).rsplit("::", 1)[-1]
            inputs, outputs = resource.get("inputs") or {}, resource.get("outputs") or {}
            found.append(ClusterResource(name, kind, declaration, inputs, outputs))
    return found


def _collect(
    into: list[Change], on_change: Callable[[Change], None] | None
) -> Callable[[events.EngineEvent], None]:
    def seen(event: events.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is None or pre.metadata.op in _NO_CHANGE or pre.metadata.type.startswith(_PROVIDERS):
            return
        meta = pre.metadata
        change = Change(
            meta.op.value, meta.type.removeprefix("pulumi-python:dynamic/"), meta.urn.rsplit("::", 1)[-1]
        )
        into.append(change)
        if on_change is not None:
            on_change(change)

    return seen


def _tail(exc: auto.CommandError) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip() and "stdout:" not in line]
    return " ".join(lines[-6:])[-800:]
