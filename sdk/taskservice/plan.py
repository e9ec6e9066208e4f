"""`ChangePlan`: the small dynamic resource that knows, at preview, which steps of a task service this `up`
will run.

Its inputs are the steps' fingerprints (`changes.fingerprint`) and categories. The engine hands `check` the
inputs of the last successful `up` (`olds`), so `check` compares them with the new ones and adds
`planned_changes` (`["configure"]`), which preview shows as the resource's output. The resource depends on
every step, so it is updated only after all of them succeeded: after a failed `up` the steps that must run
again are still planned. Its own create and update record the fingerprints and report nothing left to run
(`planned_changes` is `[]` once the `up` is done); `diff` compares the fingerprints and categories only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi.dynamic as dyn

from .._pickling import pickler_restored
from ..unknowns import contains_unknown, normalize_unknowns
from .changes import planned_changes
from .settings import Category

__all__ = ["ChangePlan"]

_COMPARED = ("fingerprints", "secret_fingerprints", "categories")


def _all_fingerprints(props: Mapping[str, Any]) -> dict[str, Any]:
    """Each step's fingerprints: of its scripts and of its secret input (a step with a secret has both, and
    a change of either runs it)."""
    scripts = props.get("fingerprints") or {}
    secrets = props.get("secret_fingerprints") or {}
    return {step: [scripts.get(step), secrets.get(step)] for step in {*scripts, *secrets}}


class _PlanProvider(dyn.ResourceProvider):
    """Computes `planned_changes` in `check`; records fingerprints on create and update."""

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        news = normalize_unknowns(news)
        planned = planned_changes(
            _all_fingerprints(_olds), _all_fingerprints(news), news.get("categories") or {}
        )
        return dyn.CheckResult({**news, "planned_changes": planned}, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.DiffResult:
        news = normalize_unknowns(news)
        changed = [
            key for key in _COMPARED if contains_unknown(news.get(key)) or olds.get(key) != news.get(key)
        ]
        return dyn.DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        return dyn.CreateResult("change-plan", {**props, "planned_changes": []})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> dyn.UpdateResult:
        return dyn.UpdateResult({**news, "planned_changes": []})


class ChangePlan(dyn.Resource, module="provisioning", name="TaskServicePlan"):
    """Which of install / configure / update this `up` runs for one task service (known at preview)."""

    planned_changes: pulumi.Output[list[str]]
    """The categories of the steps this `up` will run, in the order install, configure, update."""

    def __init__(
        self,
        resource_name: str,
        *,
        fingerprints: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        secret_fingerprints: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        categories: Mapping[str, Sequence[Category | None]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "fingerprints": fingerprints,
            "secret_fingerprints": pulumi.Output.secret(secret_fingerprints),
            "categories": {step: list(pair) for step, pair in categories.items()},
            "planned_changes": None,
        }
        with pickler_restored():
            super().__init__(_PlanProvider(), resource_name, props, opts)
